BeforeDiscovery {
    . $PSScriptRoot/TestBackends.ps1
    $servers = @(Get-TestBackend | Where-Object { $_.TestBackend -eq 'Servers' })
}

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
}

Describe 'The PostgreSQL and S3 test servers' {
    It 'answer (without them every contract Describe runs on the embedded backend only)' {
        if (-not $env:IMAGEPS_TEST_POSTGRESQL -and $env:IMAGEPS_REQUIRE_SERVERS -ne '1') {
            Set-ItResult -Skipped -Because "the test servers are not available: $env:IMAGEPS_TEST_SERVERS_UNAVAILABLE"
            return
        }
        $env:IMAGEPS_TEST_POSTGRESQL | Should -Not -BeNullOrEmpty -Because "IMAGEPS_REQUIRE_SERVERS=1: $env:IMAGEPS_TEST_SERVERS_UNAVAILABLE"
        Invoke-ServerSql -Sql 'SELECT 1 + 1' | Should -Be 2
        (Invoke-S3Request -PathAndQuery '').ListAllMyBucketsResult | Should -Not -BeNullOrEmpty
    }
}

# Two hosts share one catalog (PostgreSQL) and one store (S3): here, two pwsh processes, each with a
# repository folder of its own (its own lock files, policy; the events are the catalog's) holding the same Catalog and
# Store settings, ingesting at the same time.
Describe 'Two hosts, one PostgreSQL catalog and one S3 bucket (<TestBackend>)' -ForEach $servers {
    BeforeAll {
        $first = Use-TestRepository
        $settings = Get-Content -LiteralPath (Join-Path $first 'imageps.json') -Raw
        $second = Join-Path $TestDrive 'second-host'
        New-Item -ItemType Directory -Path $second | Out-Null
        Set-Content -LiteralPath (Join-Path $second 'imageps.json') -Value $settings

        # 30 images per host (every fifth a qcow2 of 16 MiB virtual, the rest raw, some over one 5 MiB
        # part), and 6 images created beforehand that both hosts try to upload into at once.
        $sources = Join-Path $TestDrive 'sources'
        $files = foreach ($hostName in 'first', 'second') {
            $folder = New-Item -ItemType Directory -Path (Join-Path $sources $hostName) -Force
            foreach ($n in 1..30) {
                $name = "$hostName-$n"
                if ($n % 5 -eq 0) { New-QemuImage -Format qcow2 -Path (Join-Path $folder "$name.qcow2") -Size 16M -WriteMiB 1 }
                else { New-RandomFile -Path (Join-Path $folder "$name.raw") -Length $(if ($n % 7 -eq 0) { 6MB + $n } else { 32KB + $n }) }
            }
        }
        $contested = foreach ($n in 1..6) {
            $file = New-RandomFile -Path (Join-Path $sources "contested-$n.raw") -Length (7MB + $n)
            [pscustomobject]@{ File = $file; Image = New-Image -Name "contested-$n" -DiskFormat raw }
        }
        $contestedIds = ($contested | ForEach-Object { "'$($_.Image.Id)'" }) -join ','
        $contestedPaths = ($contested | ForEach-Object { "'$($_.File.FullName)'" }) -join ','

        $processes = foreach ($hostName in 'first', 'second') {
            $folder = if ($hostName -eq 'first') { $first } else { $second }
            $command = @"
`$ProgressPreference = 'SilentlyContinue'
`$env:IMAGEPS_HOME = '$folder'
Import-Module '$ManifestPath'
`$ids = @($contestedIds); `$paths = @($contestedPaths)
Get-ChildItem -LiteralPath '$(Join-Path $sources $hostName)' -File | New-Image -Tag two-hosts -ErrorVariable +failed -ErrorAction SilentlyContinue |
    Send-ImageData -ErrorVariable +failed -ErrorAction SilentlyContinue | Out-Null
`$won = 0
for (`$i = 0; `$i -lt `$ids.Count; `$i++) {
    `$result = Send-ImageData -Id `$ids[`$i] -Path `$paths[`$i] -ErrorVariable +lost -ErrorAction SilentlyContinue
    if (`$result.Status -eq 'Active') { `$won++ }
}
"WON `$won"
`$lost | ForEach-Object { "LOST `$(`$_.FullyQualifiedErrorId)" }
`$failed | ForEach-Object { "FAILED `$(`$_.FullyQualifiedErrorId): `$(`$_.Exception.Message)" }
exit @(`$failed).Count
"@
            $log = Join-Path $TestDrive "$hostName.log"
            [pscustomobject]@{
                Log     = $log
                Process = Start-Pwsh -Command $command -Log $log
            }
        }
        foreach ($p in $processes) {
            if (-not $p.Process.WaitForExit(600000)) { Stop-Process -Id $p.Process.Id -Force }
        }
        $logs = $processes | ForEach-Object { Get-Content -LiteralPath $_.Log, "$($_.Log).err" -ErrorAction Ignore }

        # A third look, from a folder of its own with the same settings.
        $third = Join-Path $TestDrive 'third-host'
        New-Item -ItemType Directory -Path $third | Out-Null
        Set-Content -LiteralPath (Join-Path $third 'imageps.json') -Value $settings
        $env:IMAGEPS_HOME = $third
        $images = @(Get-Image -Tag two-hosts)
        $contestedNow = @($contested | ForEach-Object { Get-Image -Id $_.Image.Id })
    }

    It 'ends both processes without an error' {
        $processes.Process.ExitCode | Should -Be @(0, 0) -Because ($logs -join "`n")
    }

    It 'shows every image once, all Active, from any host' {
        $images.Count | Should -Be 60
        ($images.Name | Sort-Object -Unique).Count | Should -Be 60
        $images | Where-Object Status -NE 'Active' | Should -BeNullOrEmpty
    }

    It 'has the right size and hashes for every image' {
        foreach ($file in $files) {
            $image = $images | Where-Object Name -EQ $file.BaseName
            $image.Size | Should -Be $file.Length
            $image.Checksum | Should -Be (Get-ExternalHash -Path $file.FullName -Algorithm md5)
            $image.OsHashValue | Should -Be (Get-ExternalHash -Path $file.FullName -Algorithm sha512)
            $image.Locations[0].Url | Should -BeLike 's3://imageps-p-*/*'
        }
    }

    It 'lets exactly one host upload into each contested image; the other is refused' {
        ($logs | Where-Object { $_ -like 'WON *' } | ForEach-Object { [int]($_ -replace 'WON ') } | Measure-Object -Sum).Sum | Should -Be 6
        @($logs | Where-Object { $_ -like 'LOST *' }).Count | Should -Be 6
        $logs | Where-Object { $_ -like 'LOST *' } | ForEach-Object { $_ | Should -Match 'LOST (ImageConflict|InvalidStatusTransition),' }
        foreach ($item in $contested) {
            $image = $contestedNow | Where-Object Id -EQ $item.Image.Id
            $image.Status | Should -Be 'Active'
            $image.OsHashValue | Should -Be (Get-ExternalHash -Path $item.File.FullName -Algorithm sha512)
        }
    }

    It 'stores exactly their data in the bucket, no upload left in progress' {
        $expected = @($images.Id) + @($contestedNow.Id) | ForEach-Object { "$_" } | Sort-Object
        (Get-StoreFile).Name | Sort-Object | Should -Be $expected
    }

    It 'downloads an image uploaded by the other host, verified' {
        $image = $images | Where-Object Name -EQ 'first-7'
        $target = Join-Path $TestDrive 'downloaded.raw'
        $image | Save-ImageData -Path $target
        Get-ExternalHash -Path $target -Algorithm md5 | Should -Be $image.Checksum
    }
}
