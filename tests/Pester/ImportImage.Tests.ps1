# Import-Image against the built module, once per configuration, with a real HTTP server on
# 127.0.0.1 (tests/ImagePs.TestWebServer) serving real qemu-img images and their compressed forms
# made by the real tools: the nightly runbook run twice, URLs with checksum files, decompression,
# conversion, retry from the recorded source, parallel and background imports, and every bad input
# with its error id and the catalog and store compared before and after.

BeforeDiscovery {
    . $PSScriptRoot/TestBackends.ps1
}

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    . $PSScriptRoot/TestWebServer.ps1

    $script:Served = Join-Path $TestDrive 'served'
    New-Item -ItemType Directory -Path $Served | Out-Null
    $script:Disk = New-QemuImage -Format qcow2 -Path (Join-Path $Served 'debian-12-genericcloud-amd64.qcow2') -Size 64M -WriteMiB 3
    & xz -k -T1 -3 (Join-Path $Served 'debian-12-genericcloud-amd64.qcow2')
    & gzip -k (Join-Path $Served 'debian-12-genericcloud-amd64.qcow2')
    Push-Location $Served
    try {
        & sha256sum 'debian-12-genericcloud-amd64.qcow2' 'debian-12-genericcloud-amd64.qcow2.xz' > SHA256SUMS
        & sha512sum --tag 'debian-12-genericcloud-amd64.qcow2' > SHA512SUMS
    }
    finally { Pop-Location }
    New-RandomFile -Path (Join-Path $Served 'one.raw') -Length 1MB | Out-Null
    New-RandomFile -Path (Join-Path $Served 'two.raw') -Length 1MB | Out-Null
    Push-Location $Served
    try { & zip -q two-files.zip one.raw two.raw } finally { Pop-Location }
    $xzBytes = [IO.File]::ReadAllBytes((Join-Path $Served 'debian-12-genericcloud-amd64.qcow2.xz'))
    $xzBytes[[int]($xzBytes.Length / 2)] = $xzBytes[[int]($xzBytes.Length / 2)] -bxor 0xFF
    [IO.File]::WriteAllBytes((Join-Path $Served 'corrupt.qcow2.xz'), $xzBytes)

    $script:Server = Start-TestWebServer -Root $Served
    $script:Base = $Server.Url.TrimEnd('/')
    $script:DiskMd5 = Get-ExternalHash $Disk.FullName md5
    $script:DiskSha256 = ((& sha256sum -- $Disk.FullName) -split '\s+')[0]

    function Get-ServedBytes {
        param([Parameter(Mandatory)] [string] $Path)
        [long](Invoke-RestMethod -Uri "$Base/count?path=$([uri]::EscapeDataString($Path))")
    }

    function New-ServedCopy {
        # A copy of the disk under a name of its own: the server counts drops and stalls per path.
        $name = 'copy-' + [guid]::NewGuid().ToString('N') + '.qcow2'
        Copy-Item -LiteralPath $Disk.FullName -Destination (Join-Path $Served $name)
        $name
    }

    function Set-ImportSetting {
        # The Import section of the current repository's imageps.json (the other keys kept).
        param([Parameter(Mandatory)] [hashtable] $Import)
        $values = Get-RepositorySetting
        $values.Import = $Import
        New-Item -ItemType Directory -Path $env:IMAGEPS_HOME -Force | Out-Null
        Set-Content -LiteralPath (Join-Path $env:IMAGEPS_HOME 'imageps.json') -Value ($values | ConvertTo-Json -Depth 10)
    }

    function Get-TemporaryFile {
        $folder = Join-Path $env:IMAGEPS_HOME 'import-temp'
        if (-not (Test-Path -LiteralPath $folder)) { return @() }
        @(Get-ChildItem -LiteralPath $folder -File -Force | Where-Object Name -NotLike '*.lock')
    }
}

AfterAll {
    if ($Server) { Stop-TestWebServer $Server }
}

Describe 'Import-Image (<TestBackend>)' -ForEach (Get-TestBackend) {
    BeforeEach {
        $repository = Use-TestRepository
        $drop = Join-Path $TestDrive ('drop-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $drop | Out-Null
    }

    Context 'the nightly runbook' {
        It 'imports a folder once; a second run creates nothing, stores nothing and reads each file at most once' {
            $qcow2 = New-QemuImage -Format qcow2 -Path (Join-Path $drop 'web.qcow2') -Size 64M -WriteMiB 6
            $raw = New-RandomFile -Path (Join-Path $drop 'appliance.raw') -Length 6MB
            Copy-Item -LiteralPath (Join-Path $Served 'debian-12-genericcloud-amd64.qcow2.xz') -Destination $drop

            $first = @(Get-ChildItem -LiteralPath $drop -File | Import-Image -Tag nightly -SkipExisting)

            $first.Count | Should -Be 3
            $first.Status | Sort-Object -Unique | Should -Be 'Active'
            ($first.Name | Sort-Object) -join ',' | Should -Be 'appliance,debian-12-genericcloud-amd64,web'
            $debian = $first | Where-Object Name -EQ 'debian-12-genericcloud-amd64'
            $debian.DiskFormat | Should -Be 'qcow2'
            $debian.Size | Should -Be $Disk.Length
            $debian.Checksum | Should -Be $DiskMd5
            $debian.Properties['imageps_source_hash'] | Should -Be ('sha256:' + ((& sha256sum -- (Join-Path $drop 'debian-12-genericcloud-amd64.qcow2.xz')) -split '\s+')[0])
            ($first | Where-Object Name -EQ 'web').Checksum | Should -Be (Get-ExternalHash $qcow2.FullName md5)
            ($first | Where-Object Name -EQ 'appliance').Properties['imageps_import_source'] | Should -Be $raw.FullName
            $storedBefore = @(Get-StoreFile).Count
            $storedBefore | Should -Be 3

            $readBefore = if ($IsLinux) { [long]((Get-Content /proc/self/io | Where-Object { $_ -like 'rchar:*' }) -split '\s+')[1] }
            $second = @(Get-ChildItem -LiteralPath $drop -File | Import-Image -Tag nightly -SkipExisting -Verbose 4>&1)
            $readAfter = if ($IsLinux) { [long]((Get-Content /proc/self/io | Where-Object { $_ -like 'rchar:*' }) -split '\s+')[1] }

            $images = @($second | Where-Object { $_ -is [ImagePs.Image] })
            ($images.Id | Sort-Object) -join ',' | Should -Be (($first.Id | Sort-Object) -join ',')
            @($second | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like '*in the catalog already*' }).Count | Should -Be 3
            @(Get-Image).Count | Should -Be 3
            @(Get-StoreFile).Count | Should -Be $storedBefore
            if ($IsLinux) {
                $total = (Get-ChildItem -LiteralPath $drop -File | Measure-Object Length -Sum).Sum
                ($readAfter - $readBefore) | Should -BeLessThan ($total + 4MB)
            }
        }

        It 'retries a failed import from its recorded source when its Queued image is piped back in' {
            $missing = "$Base/later-$([guid]::NewGuid().ToString('N')).qcow2"
            Import-Image -Uri $missing -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'ImportHttpFailed*'
            $failed[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $queued = Get-Image -Status Queued
            $queued.Properties['imageps_import_source'] | Should -Be $missing
            $queued.Properties['imageps_import_error'] | Should -BeLike 'ImportHttpFailed: *404*'

            Copy-Item -LiteralPath $Disk.FullName -Destination (Join-Path $Served ([uri]$missing).Segments[-1])
            $retried = Get-Image -Status Queued | Import-Image

            $retried.Id | Should -Be $queued.Id
            $retried.Status | Should -Be 'Active'
            $retried.Checksum | Should -Be $DiskMd5
            $retried.Properties.ContainsKey('imageps_import_error') | Should -BeFalse
        }

        It 'refuses to retry an image it did not make (ImportSourceUnknown)' {
            $plain = New-Image -Name plain -DiskFormat raw
            $plain | Import-Image -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'ImportSourceUnknown*'
            (Get-Image -Id $plain.Id).Status | Should -Be 'Queued'
        }

        It '-WhatIf creates nothing and reads nothing' {
            $name = New-ServedCopy
            Import-Image -Uri "$Base/$name" -WhatIf
            @(Get-Image -Status Queued, Active).Count | Should -Be 0
            Get-ServedBytes "/$name" | Should -Be 0
        }
    }

    Context 'from a URL' {
        It 'verifies a GNU checksum file, records the source hash and, with -SkipExisting, downloads nothing the second time' {
            $url = "$Base/debian-12-genericcloud-amd64.qcow2"
            $image = Import-Image -Uri $url -ChecksumUri "$Base/SHA256SUMS" -Name debian-12 -SkipExisting

            $image.Status | Should -Be 'Active'
            $image.Name | Should -Be debian-12
            $image.DiskFormat | Should -Be qcow2
            $image.Checksum | Should -Be $DiskMd5
            $image.VirtualSize | Should -Be (Get-QemuVirtualSize $Disk.FullName qcow2)
            $image.Properties['imageps_source_hash'] | Should -Be "sha256:$DiskSha256"
            $image.Properties['imageps_import_source'] | Should -Be $url

            $servedBefore = Get-ServedBytes '/debian-12-genericcloud-amd64.qcow2'
            $again = Import-Image -Uri $url -ChecksumUri "$Base/SHA256SUMS" -Name debian-12 -SkipExisting
            $again.Id | Should -Be $image.Id
            Get-ServedBytes '/debian-12-genericcloud-amd64.qcow2' | Should -Be $servedBefore
            @(Get-Image).Count | Should -Be 1
        }

        It 'with -SkipExisting and no hash known before, finds the duplicate once downloaded and keeps no second record or data' {
            $url = "$Base/debian-12-genericcloud-amd64.qcow2"
            $first = Import-Image -Uri $url -SkipExisting
            $second = Import-Image -Uri $url -SkipExisting -Verbose 4>&1
            $images = @($second | Where-Object { $_ -is [ImagePs.Image] })
            $images.Id | Should -Be $first.Id
            @($second | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like '*in the catalog already*' }).Count | Should -Be 1
            @(Get-Image -Status Queued, Active, Saving).Count | Should -Be 1
            @(Get-StoreFile).Count | Should -Be 1
        }

        It 'sends -Credential to a server that asks for it, and records no credential' {
            $url = "$Base/auth/ops/s3cret/debian-12-genericcloud-amd64.qcow2"
            $credential = [pscredential]::new('ops', (ConvertTo-SecureString 's3cret' -AsPlainText -Force))
            Import-Image -Uri $url -RemoveOnFailure -ErrorVariable refused -ErrorAction SilentlyContinue
            $refused[0].FullyQualifiedErrorId | Should -BeLike 'ImportHttpFailed*'
            $refused[0].CategoryInfo.Category | Should -Be 'PermissionDenied'

            $image = Import-Image -Uri $url -Credential $credential
            $image.Checksum | Should -Be $DiskMd5
            $image.Properties['imageps_import_source'] | Should -Be $url   # the route names its password; the credential itself is not recorded
            @($image.Properties.Keys | Where-Object { $_ -match 'credential|password|user' }) | Should -BeNullOrEmpty
        }

        It 'takes a BSD-style SHA512 checksum file' {
            $image = Import-Image -Uri "$Base/debian-12-genericcloud-amd64.qcow2" -ChecksumUri "$Base/SHA512SUMS"
            $image.Properties['imageps_source_hash'] | Should -Be ('sha512:' + (Get-ExternalHash $Disk.FullName sha512))
        }

        It 'stores the decompressed disk of an .xz, its source hash over the compressed bytes' {
            $image = Import-Image -Uri "$Base/debian-12-genericcloud-amd64.qcow2.xz" -ChecksumUri "$Base/SHA256SUMS"
            $image.DiskFormat | Should -Be qcow2
            $image.Size | Should -Be $Disk.Length
            $image.Checksum | Should -Be $DiskMd5
            $image.Name | Should -Be 'debian-12-genericcloud-amd64'
        }

        It 'stores a gzip as it is when declared -ContainerFormat compressed' {
            $gz = Get-Item -LiteralPath (Join-Path $Served 'debian-12-genericcloud-amd64.qcow2.gz')
            $image = Import-Image -Uri "$Base/debian-12-genericcloud-amd64.qcow2.gz" -ContainerFormat compressed -DiskFormat qcow2
            $image.Size | Should -Be $gz.Length
            $image.Checksum | Should -Be (Get-ExternalHash $gz.FullName md5)
        }

        It 'fails a wrong source hash (SourceHashMismatch), stores nothing and keeps the image Queued with the error' {
            $wrong = 'ab' * 32
            Import-Image -Uri "$Base/debian-12-genericcloud-amd64.qcow2" -SourceHash $wrong -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'SourceHashMismatch*'
            $failed[0].CategoryInfo.Category | Should -Be 'InvalidData'
            $failed[0].Exception.Message | Should -BeLike "*sha256:$DiskSha256*"
            $queued = @(Get-Image -Status Queued)
            $queued.Count | Should -Be 1
            $queued[0].Properties['imageps_import_error'] | Should -BeLike 'SourceHashMismatch: *'
            @(Get-StoreFile).Count | Should -Be 0
        }

        It 'fails a wrong stored-disk MD5 (ChecksumMismatch) and with -RemoveOnFailure leaves no image' {
            Import-Image -Uri "$Base/debian-12-genericcloud-amd64.qcow2.xz" -Checksum ('0' * 32) -RemoveOnFailure -ErrorVariable failed -ErrorAction SilentlyContinue
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'ChecksumMismatch*'
            @(Get-Image -Status Queued, Active, Saving).Count | Should -Be 0
            @(Get-StoreFile).Count | Should -Be 0
        }

        It 'names a checksum file that does not list the source (ChecksumNotListed) and creates nothing' {
            Import-Image -Uri "$Base/one.raw" -ChecksumUri "$Base/SHA256SUMS" -ErrorVariable failed -ErrorAction SilentlyContinue
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'ChecksumNotListed*'
            $failed[0].Exception.Message | Should -BeLike '*one.raw*'
            @(Get-Image -Status Queued, Active).Count | Should -Be 0
        }

        It 'refuses a zip holding two files (ImportZipEntryCount) and a corrupt xz (ImportDecompressionFailed)' {
            Import-Image -Uri "$Base/two-files.zip" -RemoveOnFailure -ErrorVariable zipFailed -ErrorAction SilentlyContinue
            $zipFailed[0].FullyQualifiedErrorId | Should -BeLike 'ImportZipEntryCount*'
            Import-Image -Uri "$Base/corrupt.qcow2.xz" -RemoveOnFailure -ErrorVariable xzFailed -ErrorAction SilentlyContinue
            $xzFailed[0].FullyQualifiedErrorId | Should -BeLike 'ImportDecompressionFailed*'
            @(Get-Image -Status Queued, Active).Count | Should -Be 0
            @(Get-StoreFile).Count | Should -Be 0
        }

        It 'refuses a redirect to a host the settings do not allow (ImportUriRefused), checked on every hop' {
            Set-ImportSetting @{ AllowedHosts = @('127.0.0.1') }
            $elsewhere = $Base.Replace('127.0.0.1', 'localhost') + '/debian-12-genericcloud-amd64.qcow2'

            Import-Image -Uri "$Base/redirect?to=$([uri]::EscapeDataString($elsewhere))" -RemoveOnFailure -ErrorVariable failed -ErrorAction SilentlyContinue
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'ImportUriRefused*'
            Import-Image -Uri $elsewhere -ErrorVariable direct -ErrorAction SilentlyContinue
            $direct[0].FullyQualifiedErrorId | Should -BeLike 'ImportUriRefused*'
            @(Get-Image -Status Queued, Active).Count | Should -Be 0
        }

        It 'resumes a download that drops, storing the whole file' {
            $name = New-ServedCopy
            $image = Import-Image -Uri "$Base/drop/1000000/2/$name" -Name dropped
            $image.Size | Should -Be $Disk.Length
            $image.Checksum | Should -Be $DiskMd5
        }

        It 'gives up after MaxResumes (ImportConnectionLost), image Queued and no data' {
            Set-ImportSetting @{ MaxResumes = 1 }
            Import-Image -Uri "$Base/drop/100000/5/$(New-ServedCopy)" -ErrorVariable failed -ErrorAction SilentlyContinue
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'ImportConnectionLost*'
            (Get-Image -Status Queued).Properties['imageps_import_error'] | Should -BeLike 'ImportConnectionLost: *'
            @(Get-StoreFile).Count | Should -Be 0
        }
    }

    Context 'conversion' {
        It 'converts with qemu-img, records what it was converted from, and leaves no temporary file' {
            $image = Import-Image -Path $Disk.FullName -ConvertTo raw -Name converted

            $image.DiskFormat | Should -Be raw
            $image.Size | Should -Be (Get-QemuVirtualSize $Disk.FullName qcow2)
            $image.Properties['imageps_converted_from'] | Should -BeLike "qcow2*$((Get-ExternalHash $Disk.FullName sha512))*"
            $stored = Export-StoredData -Id $image.Id -Path (Join-Path $TestDrive "converted-$($image.Id).raw")
            & qemu-img compare -q -f raw -F qcow2 $stored $Disk.FullName
            $LASTEXITCODE | Should -Be 0
            @(Get-TemporaryFile).Count | Should -Be 0
        }

        It 'refuses an unsafe image before qemu-img opens it (UnsafeImage), nothing stored' {
            $base = New-QemuImage -Format qcow2 -Path (Join-Path $drop 'base.qcow2')
            $overlay = Join-Path $drop 'overlay.qcow2'
            & qemu-img create -q -f qcow2 -b $base.FullName -F qcow2 $overlay
            Import-Image -Path $overlay -ConvertTo raw -ErrorVariable failed -ErrorAction SilentlyContinue
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'UnsafeImage*'
            @(Get-StoreFile).Count | Should -Be 0
            @(Get-TemporaryFile).Count | Should -Be 0
        }

        It 'refuses -DiskFormat that disagrees with -ConvertTo (ImportFormatConflict) before creating anything' {
            Import-Image -Path $Disk.FullName -ConvertTo raw -DiskFormat qcow2 -ErrorVariable failed -ErrorAction SilentlyContinue
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'ImportFormatConflict*'
            @(Get-Image -Status Queued, Active).Count | Should -Be 0
        }
    }

    Context 'in parallel and in the background' {
        It '-ThrottleLimit imports several at once and returns them in input order' {
            $urls = 1..3 | ForEach-Object { "$Base/rate/4000000/debian-12-genericcloud-amd64.qcow2?copy=$_" }
            $names = 'first', 'second', 'third'
            $images = @(0..2 | ForEach-Object { [pscustomobject]@{ Uri = [uri]$urls[$_] } } | Import-Image -ThrottleLimit 3)
            $images.Count | Should -Be 3
            $images.Status | Sort-Object -Unique | Should -Be 'Active'
            $images.Properties.imageps_import_source | Should -Be $urls
            $images.Checksum | Sort-Object -Unique | Should -Be $DiskMd5
        }

        It '-ThrottleLimit 3 has three downloads running at once, and Stop-Job leaves all three Queued' {
            $urls = 1..3 | ForEach-Object { "$Base/rate/200000/$(New-ServedCopy)" }
            $job = $urls | Import-Image -ThrottleLimit 3 -AsJob
            Wait-Until { @(Get-Image -Status Saving).Count -eq 3 } -TimeoutSeconds 60 | Should -BeTrue
            $job | Stop-Job
            @(Get-Image -Status Queued).Count | Should -Be 3
            @(Get-Image -Status Saving, Active).Count | Should -Be 0
            $job | Remove-Job
        }

        It '-AsJob returns a job that Wait-Job and Receive-Job handle' {
            $job = Import-Image -Uri "$Base/debian-12-genericcloud-amd64.qcow2" -AsJob
            $job | Should -BeOfType ([System.Management.Automation.Job])
            $job | Wait-Job -Timeout 120 | Out-Null
            $job.State | Should -Be 'Completed'
            $image = $job | Receive-Job
            $image.Status | Should -Be 'Active'
            $image.Checksum | Should -Be $DiskMd5
            $job | Remove-Job
        }

        It 'Stop-Job leaves the image Queued without data' {
            $job = Import-Image -Uri "$Base/rate/200000/debian-12-genericcloud-amd64.qcow2" -AsJob
            Wait-Until { @(Get-Image -Status Saving).Count -eq 1 } -TimeoutSeconds 60 | Should -BeTrue
            $job | Stop-Job
            $job.State | Should -Be 'Stopped'
            $image = Get-Image -Status Queued
            $image.Count | Should -Be 1
            @(Get-Image -Status Saving, Active).Count | Should -Be 0
            Wait-Until { @(Get-StoreFile).Count -eq 0 } -TimeoutSeconds 30 | Should -BeTrue
            $job | Remove-Job
        }
    }
}
