BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
}

Describe 'Parallel ingest: 4 processes, each with ForEach-Object -Parallel, into one repository' {
    BeforeAll {
        $repository = Use-TestRepository
        $sources = Join-Path $TestDrive 'sources'
        # 200 real images: 40 qcow2 made by qemu-img with data written by qemu-io, 160 raw.
        $files = foreach ($n in 1..200) {
            $folder = Join-Path $sources ('batch' + ($n % 4))
            New-Item -ItemType Directory -Path $folder -Force | Out-Null
            if ($n % 5 -eq 0) { New-QemuImage -Format qcow2 -Path (Join-Path $folder "disk$n.qcow2") -Size 32M -WriteMiB 1 }
            else { New-RandomFile -Path (Join-Path $folder "disk$n.raw") -Length (64KB + $n) }
        }

        $script = {
            param($Manifest, $Folder)
            $ProgressPreference = 'SilentlyContinue'
            Import-Module $Manifest
            $failures = Get-ChildItem -LiteralPath $Folder -File | ForEach-Object -ThrottleLimit 4 -Parallel {
                $ProgressPreference = 'SilentlyContinue'
                Import-Module $using:Manifest
                $_ | New-Image -Tag parallel -ErrorVariable +failed -ErrorAction SilentlyContinue |
                    Send-ImageData -ErrorVariable +failed -ErrorAction SilentlyContinue | Out-Null
                $failed | ForEach-Object { "FAILED $($_.FullyQualifiedErrorId): $($_.Exception.Message)" }
            }
            $failures
            exit @($failures).Count
        }
        $processes = foreach ($batch in 0..3) {
            $command = "& { $script } '$ManifestPath' '$(Join-Path $sources "batch$batch")'"
            $log = Join-Path $TestDrive "batch$batch.log"
            [pscustomobject]@{
                Log     = $log
                Process = Start-Pwsh -Command $command -Log $log
            }
        }
        foreach ($p in $processes) {
            if (-not $p.Process.WaitForExit(600000)) { Stop-Process -Id $p.Process.Id -Force }
        }
        $logs = $processes | ForEach-Object { Get-Content -Raw -LiteralPath $_.Log, "$($_.Log).err" -ErrorAction Ignore }
        $images = @(Get-Image -Tag parallel)
    }

    It 'ends every process without an error' {
        $processes.Process.ExitCode | Should -Be @(0, 0, 0, 0) -Because ($logs -join "`n")
    }

    It 'never lets "database is locked" or another busy resource reach the user' {
        ($logs -join "`n") | Should -Not -Match 'locked|busy|being used by another process|FAILED'
    }

    It 'has every image once, all Active' {
        $images.Count | Should -Be 200
        ($images.Name | Sort-Object -Unique).Count | Should -Be 200
        $images | Where-Object Status -NE 'Active' | Should -BeNullOrEmpty
    }

    It 'has the right size and hashes for every image' {
        foreach ($file in $files) {
            $image = $images | Where-Object Name -EQ $file.BaseName
            $image.Size | Should -Be $file.Length
            $image.Checksum | Should -Be (Get-ExternalHash -Path $file.FullName -Algorithm md5)
        }
    }

    It 'stores exactly their data and nothing else' {
        (Get-StoreFile).Name | Sort-Object | Should -Be ($images.Id | ForEach-Object { "$_" } | Sort-Object)
    }

    It 'records each upload once in the events log' {
        @(Get-ImageEvent -EventType image.activate).Count | Should -Be 200
    }

    It 'leaves the catalog consistent' {
        Invoke-CatalogQuery -Sql 'PRAGMA integrity_check' | Should -Be 'ok'
    }
}
