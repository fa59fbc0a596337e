BeforeDiscovery {
    . $PSScriptRoot/TestBackends.ps1
}

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
}

Describe 'Get-ChildItem | New-Image | Send-ImageData (<TestBackend>)' -ForEach (Get-TestBackend) {
    BeforeAll {
        Use-TestRepository | Out-Null
        $files = Join-Path $TestDrive 'pipeline'
        New-Item -ItemType Directory -Path $files | Out-Null
        New-QemuImage -Format qcow2 -Path (Join-Path $files 'debian.qcow2') -Size 1G -WriteMiB 6 | Out-Null
        New-QemuImage -Format qcow2 -Path (Join-Path $files 'alpine.qcow2') -Size 200M -WriteMiB 2 | Out-Null
        New-QemuImage -Format raw -Path (Join-Path $files 'rescue.raw') -Size 12M -WriteMiB 3 | Out-Null

        Push-Location $files
        try {
            $qcow2 = @(Get-ChildItem *.qcow2 | New-Image -Tag nightly | Send-ImageData)
            $raw = @(Get-ChildItem *.raw | New-Image | Send-ImageData)
        }
        finally { Pop-Location }
        $uploaded = $qcow2 + $raw
    }

    It 'uploads every file' {
        $qcow2.Count | Should -Be 2
        $raw.Count | Should -Be 1
        (Get-Image).Count | Should -Be 3
        (Get-StoreFile).Count | Should -Be 3
    }

    It '<Name> is Active with the size, hashes and virtual size of its file' -ForEach @(
        @{ Name = 'debian'; File = 'debian.qcow2'; Format = 'qcow2' }
        @{ Name = 'alpine'; File = 'alpine.qcow2'; Format = 'qcow2' }
        @{ Name = 'rescue'; File = 'rescue.raw'; Format = 'raw' }
    ) {
        $path = Join-Path $files $File
        $fromPipeline = $uploaded | Where-Object Name -EQ $Name
        $fromCatalog = Get-Image -Name $Name

        foreach ($image in $fromPipeline, $fromCatalog) {
            $image.Status | Should -Be 'Active'
            $image.DiskFormat | Should -Be $Format
            $image.Size | Should -Be (Get-Item -LiteralPath $path).Length
            $image.Checksum | Should -Be (Get-ExternalHash -Path $path -Algorithm md5)
            $image.OsHashAlgo | Should -Be 'sha512'
            $image.OsHashValue | Should -Be (Get-ExternalHash -Path $path -Algorithm sha512)
            $image.VirtualSize | Should -Be (Get-QemuVirtualSize -Path $path -Format $Format)
        }
    }

    It 'stores a byte-identical copy' {
        foreach ($image in $uploaded) {
            $stored = Export-StoredData -Id $image.Id -Path (Join-Path $TestDrive "stored-$($image.Id)")
            Get-ExternalHash -Path $stored -Algorithm sha512 | Should -Be $image.OsHashValue
        }
    }

    It 'keeps tags through the pipeline' {
        (Get-Image -Tag nightly).Name | Sort-Object | Should -Be @('alpine', 'debian')
    }
}

Describe 'Send-ImageData (<TestBackend>)' -ForEach (Get-TestBackend) {
    BeforeEach {
        Use-TestRepository | Out-Null
        $files = Join-Path $TestDrive ('files-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $files | Out-Null
    }

    It 'uploads by -Id and -Path' {
        $file = New-RandomFile -Path (Join-Path $files 'by-id.raw') -Length 70000
        $image = New-Image -Name by-id -DiskFormat raw

        $result = Send-ImageData -Id $image.Id -Path $file.FullName

        $result.Status | Should -Be 'Active'
        $result.Size | Should -Be 70000
        $result.Checksum | Should -Be (Get-ExternalHash -Path $file.FullName -Algorithm md5)
    }

    It 'stops at the size cap, leaves the image Queued and no data, and goes on with the next item' {
        $env:IMAGEPS_HOME = Use-TestRepository -Settings '{ "ImageSizeCap": 1048576 }'
        New-RandomFile -Path (Join-Path $files 'a-big.raw') -Length (1MB + 1) | Out-Null
        New-RandomFile -Path (Join-Path $files 'b-exact.raw') -Length (1MB) | Out-Null

        $results = Get-ChildItem -LiteralPath $files | New-Image | Send-ImageData -ErrorVariable failures -ErrorAction SilentlyContinue

        $results.Name | Should -Be 'b-exact'
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ImageSizeCapExceeded,*'
        $failures[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
        $failures[0].TargetObject.Name | Should -Be 'a-big'
        $failures[0].TargetObject.Status | Should -Be 'Queued'
        $failures[0].Exception.Message | Should -Match '1048576'

        $big = Get-Image -Name a-big
        $big.Status | Should -Be 'Queued'
        $big.Size | Should -BeNullOrEmpty
        (Get-StoreFile).Name | Should -Be @((Get-Image -Name b-exact).Id.ToString())
    }

    It 'retries a failed upload on the same image once the cause is fixed' {
        $repository = Use-TestRepository -Settings '{ "ImageSizeCap": 1000 }'
        $file = New-RandomFile -Path (Join-Path $files 'retry.raw') -Length 5000
        $image = $file | New-Image
        $image | Send-ImageData -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        Remove-RepositorySetting -Name ImageSizeCap
        $retried = $image | Send-ImageData

        $retried.Id | Should -Be $image.Id
        $retried.Status | Should -Be 'Active'
        $retried.Size | Should -Be 5000
    }

    It 'refuses data for an Active image with InvalidStatusTransition' {
        $file = New-RandomFile -Path (Join-Path $files 'once.raw') -Length 100
        $image = $file | New-Image | Send-ImageData

        Send-ImageData -Id $image.Id -Path $file.FullName -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        $failures[0].FullyQualifiedErrorId | Should -BeLike 'InvalidStatusTransition,*'
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        $failures[0].TargetObject.Id | Should -Be $image.Id
        (Get-StoreFile).Count | Should -Be 1
    }

    It 'reports an unknown image with ImageNotFound' {
        $file = New-RandomFile -Path (Join-Path $files 'orphan.raw') -Length 100
        $id = [guid]::NewGuid()

        Send-ImageData -Id $id -Path $file.FullName -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ImageNotFound,*'
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].TargetObject | Should -Be $id
        Get-StoreFile | Should -BeNullOrEmpty
    }

    It 'reports a missing file without touching the image' {
        $image = New-Image -Name waiting -DiskFormat raw

        $image | Send-ImageData -Path (Join-Path $files 'gone.raw') -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures[0].FullyQualifiedErrorId | Should -BeLike 'SourceFileNotFound,*'
        (Get-Image -Id $image.Id).Status | Should -Be 'Queued'
    }

    It 'changes nothing with -WhatIf' {
        $file = New-RandomFile -Path (Join-Path $files 'whatif.raw') -Length 100
        $image = $file | New-Image

        $image | Send-ImageData -WhatIf | Should -BeNullOrEmpty

        (Get-Image -Id $image.Id).Status | Should -Be 'Queued'
        Get-StoreFile | Should -BeNullOrEmpty
    }

    It 'stops the command when imageps.json is invalid, naming the key' {
        Use-TestRepository -Settings '{ "ImageSizeCapp": 5 }' | Out-Null

        { Get-Image -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidSettings,*'
        try { Get-Image } catch { $_.Exception.Message | Should -Match 'ImageSizeCapp' }
    }
}

# -Verbose: one report per image, with the figures the image records and where its virtual size came from.
Describe 'Send-ImageData -Verbose (<TestBackend>)' -ForEach (Get-TestBackend) {
    BeforeAll {
        Use-TestRepository | Out-Null
        $files = Join-Path $TestDrive "verbose-$TestBackend"
        New-Item -ItemType Directory -Path $files | Out-Null
        New-QemuImage -Format qcow2 -Path (Join-Path $files 'debian.qcow2') -Size 1G -WriteMiB 3 | Out-Null
        New-RandomFile -Path (Join-Path $files 'rescue.raw') -Length (64 * 1024) | Out-Null
        $output = @(Get-ChildItem -LiteralPath $files | Sort-Object Name | New-Image | Send-ImageData -Verbose 4>&1)
        $images = @($output | Where-Object { $_ -is [ImagePs.Image] })
        $reports = @($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Uploaded image *' })
    }

    It 'writes exactly one report per image, after its upload' {
        $images.Name | Should -Be @('debian', 'rescue')
        $reports.Count | Should -Be 2
        $reports[0].Message | Should -BeLike "Uploaded image '$($images[0])' from '$(Join-Path $files 'debian.qcow2')':*"
        $reports[1].Message | Should -BeLike "Uploaded image '$($images[1])' from '$(Join-Path $files 'rescue.raw')':*"
    }

    It 'reports bytes, duration, throughput, MD5 and SHA-512 equal to what <Name> records' -ForEach @(
        @{ Name = 'debian'; Index = 0; File = 'debian.qcow2' }, @{ Name = 'rescue'; Index = 1; File = 'rescue.raw' }
    ) {
        $image = $images[$Index]
        $path = Join-Path $files $File
        $lines = $reports[$Index].Message -split "`n"
        $figures = [regex]::Match($lines[1], '^- data: (\d+) bytes in (\d+[.,]\d{3}) s \((\d+[.,]\d) MiB/s\)$')
        $figures.Success | Should -BeTrue -Because "'$($lines[1])' gives bytes, seconds and MiB/s"
        [long]$figures.Groups[1].Value | Should -Be $image.Size
        $image.Size | Should -Be (Get-Item -LiteralPath $path).Length
        $lines[2] | Should -Be "- MD5: $($image.Checksum)"
        $lines[3] | Should -Be "- SHA-512: $($image.OsHashValue)"
        $image.Checksum | Should -Be (Get-ExternalHash -Path $path -Algorithm md5)
        $image.OsHashValue | Should -Be (Get-ExternalHash -Path $path -Algorithm sha512)
    }

    It 'says where the virtual size came from and what qemu-img said' {
        $debian = ($reports[0].Message -split "`n")[4]
        $rescue = ($reports[1].Message -split "`n")[4]
        $images[0].VirtualSize | Should -Be 1GB
        $images[0].VirtualSize | Should -Be (Get-QemuVirtualSize -Path (Join-Path $files 'debian.qcow2') -Format qcow2)
        if ($TestBackend -eq 'Embedded') {
            $debian | Should -Be "- virtual size: $(1GB) bytes, from ImagePs's inspector; qemu-img agreed"
            $rescue | Should -Be "- virtual size: $(64 * 1024) bytes, from ImagePs's inspector; qemu-img agreed"
        }
        else {
            # The S3 store keeps no local file for qemu-img: the report says so.
            $debian | Should -BeLike "- virtual size: $(1GB) bytes, from ImagePs's inspector; qemu-img not run: *"
            $rescue | Should -BeLike "- virtual size: $(64 * 1024) bytes, from ImagePs's inspector; qemu-img not run: *"
        }
    }
}

Describe 'Send-ImageData with qemu-img (filesystem store)' {
    BeforeEach {
        Use-TestRepository | Out-Null
        $files = Join-Path $TestDrive ('files-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $files | Out-Null
    }

    It 'warns and keeps the native VirtualSize when the configured qemu-img is missing' {
        Use-TestRepository -Settings '{ "QemuImgPath": "/nonexistent/qemu-img" }' | Out-Null
        $file = New-RandomFile -Path (Join-Path $files 'noprobe.raw') -Length 100

        $image = $file | New-Image | Send-ImageData -WarningVariable warnings -WarningAction SilentlyContinue

        $image.Status | Should -Be 'Active'
        $image.VirtualSize | Should -Be (Get-QemuVirtualSize -Path $file.FullName -Format raw)
        $warnings | Should -Match '/nonexistent/qemu-img'
    }
}

Describe 'Stopping an upload whose source blocks' -Skip:(-not $IsLinux) {
    It 'stops while the source FIFO is <Case>, leaves the image Queued, and the process still exits' -ForEach @(
        @{ Case = 'never opened by a writer'; Writer = $false }
        @{ Case = 'open but silent'; Writer = $true }
    ) {
        Use-TestRepository | Out-Null
        $image = New-Image -Name stalled -DiskFormat raw
        $fifo = Join-Path $TestDrive ('stall-' + [guid]::NewGuid().ToString('N'))
        & mkfifo $fifo
        # A writer that opens the FIFO and then writes nothing: the upload's read() blocks in the kernel.
        $writer = if ($Writer) { Start-Process -FilePath sh -ArgumentList '-c', "`"exec 3>'$fifo'; exec sleep 120`"" -PassThru }
        $log = Join-Path $TestDrive ('stop-' + [guid]::NewGuid().ToString('N'))
        # In a fresh pwsh: Send-ImageData in a runspace, stopped as Ctrl+C stops it (PowerShell.Stop);
        # the child prints whether Stop returned within 20 s, then must exit although a read is abandoned.
        $child = Start-Pwsh -Log $log -Command @"
Import-Module '$ManifestPath'
`$ps = [powershell]::Create().AddScript("Import-Module '$ManifestPath'; 'imported'; Send-ImageData -Id '$($image.Id)' -Path '$fifo'")
`$output = [System.Management.Automation.PSDataCollection[psobject]]::new()
`$null = `$ps.BeginInvoke([System.Management.Automation.PSDataCollection[psobject]]`$null, `$output)
`$deadline = [DateTime]::UtcNow.AddSeconds(60)
while (`$output.Count -eq 0 -and [DateTime]::UtcNow -lt `$deadline) { Start-Sleep -Milliseconds 100 }
# The upload is blocked: in open() (no writer), or in read() once the image is Saving.
if ('$Writer' -eq 'True') { while ((Get-Image -Id '$($image.Id)').Status -ne 'Saving' -and [DateTime]::UtcNow -lt `$deadline) { Start-Sleep -Milliseconds 100 } }
Start-Sleep -Seconds 2
"state before stop: `$(`$ps.InvocationStateInfo.State)"
`$stop = `$ps.BeginStop(`$null, `$null)
if (`$stop.AsyncWaitHandle.WaitOne(20000)) { 'stopped' } else { 'still running' }
exit 0
"@
        try {
            $exited = $child.WaitForExit(90000)
            if (-not $exited) { Stop-Process -Id $child.Id -Force }
        }
        finally {
            if ($writer) { Stop-Process -Id $writer.Id -Force -ErrorAction Ignore }
        }

        $exited | Should -BeTrue
        Get-Content -LiteralPath $log | Should -Contain 'state before stop: Running'
        Get-Content -LiteralPath $log | Should -Contain 'stopped'
        Get-CatalogStatus -Id $image.Id | Should -Be 'queued'
        @(Get-StoreFile).Count | Should -Be 0
    }
}
