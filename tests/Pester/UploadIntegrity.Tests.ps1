BeforeDiscovery {
    . $PSScriptRoot/TestBackends.ps1
}

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
}

Describe 'Send-ImageData integrity (<TestBackend>)' -ForEach (Get-TestBackend) {
    BeforeEach {
        $repository = Use-TestRepository
        $files = Join-Path $TestDrive ('files-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $files | Out-Null
    }

    It 'accepts declared values that match and refuses <Parameter> that does not with <ErrorId>' -ForEach @(
        @{ Parameter = '-Size'; ErrorId = 'ImageSizeMismatch'; Declare = { param($f) @{ Size = $f.Length + 1 } } }
        @{ Parameter = '-Checksum'; ErrorId = 'ChecksumMismatch'; Declare = { param($f) @{ Checksum = '0' * 32 } } }
        @{ Parameter = '-OsHashValue'; ErrorId = 'OsHashValueMismatch'; Declare = { param($f) @{ OsHashValue = 'a' * 128 } } }
    ) {
        $file = New-RandomFile -Path (Join-Path $files 'declared.raw') -Length 300000
        $good = $file | New-Image -Name good
        $bad = $file | New-Image -Name bad
        $declared = & $Declare $file

        $ok = $good | Send-ImageData -Size $file.Length -Checksum (Get-ExternalHash $file.FullName md5) -OsHashValue (Get-ExternalHash $file.FullName sha512)
        $bad | Send-ImageData @declared -ErrorVariable failures -ErrorAction SilentlyContinue

        $ok.Status | Should -Be 'Active'
        $failures[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidData'
        (Get-Image -Id $bad.Id).Status | Should -Be 'Queued'
        (Get-StoreFile).Name | Should -Be @($ok.Id.ToString())
    }

    It 'refuses malformed declared hashes as bad arguments' {
        $image = New-Image -Name x -DiskFormat raw
        { $image | Send-ImageData -Path (Join-Path $files 'x') -Checksum 'not-hex' -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
    }

    It 'enforces UserStorageQuota with StorageQuotaExceeded' {
        Use-TestRepository -Settings '{ "UserStorageQuota": 100000 }' | Out-Null
        New-RandomFile -Path (Join-Path $files 'a.raw') -Length 60000 | Out-Null
        New-RandomFile -Path (Join-Path $files 'b.raw') -Length 60000 | Out-Null

        $done = Get-ChildItem -LiteralPath $files | New-Image | Send-ImageData -ErrorVariable failures -ErrorAction SilentlyContinue

        $done.Name | Should -Be 'a'
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'StorageQuotaExceeded,*'
        $failures[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
        (Get-Image -Name b).Status | Should -Be 'Queued'
    }

    It 'recovers an upload whose process was killed, and the data can be sent again' -Skip:(-not $IsLinux) {
        $image = New-Image -Name killed -DiskFormat raw
        $writer = Start-FifoWriter -Path (Join-Path $files 'feed') -Bytes 12MB
        $child = Start-ChildUpload -Id $image.Id -Path (Join-Path $files 'feed')
        try {
            # The child has stored data (its first chunk on disk, or its first 5 MiB part in the
            # bucket) and waits for more: kill it there.
            Wait-Until { @(Get-UploadInProgress | Where-Object Length -GT 0).Count -eq 1 } | Should -BeTrue
            Stop-Process -Id $child.Id -Force
            $child.WaitForExit()
        }
        finally {
            Stop-Process -Id $writer.Id -Force -ErrorAction Ignore
            if (-not $child.HasExited) { Stop-Process -Id $child.Id -Force }
        }

        Get-CatalogStatus -Id $image.Id | Should -Be 'saving'
        @(Get-UploadInProgress).Count | Should -Be 1
        # PostgreSQL ends the dead uploader's session (and its lease) once it sees the socket closed.
        Wait-Until { -not (Test-UploadLeaseHeld -Id $image.Id) } | Should -BeTrue

        $recovered = Get-Image -Id $image.Id -WarningVariable warnings -WarningAction SilentlyContinue

        $recovered.Status | Should -Be 'Queued'
        $warnings | Should -Match 'left Saving'
        Get-StoreFile | Should -BeNullOrEmpty

        $file = New-RandomFile -Path (Join-Path $files 'again.raw') -Length 100000
        $again = Send-ImageData -Id $image.Id -Path $file.FullName
        $again.Status | Should -Be 'Active'
        $again.Checksum | Should -Be (Get-ExternalHash $file.FullName md5)
    }

    It 'lets exactly one of two processes upload into an image; the other gets ImageConflict' -Skip:(-not $IsLinux) {
        $image = New-Image -Name contested -DiskFormat raw
        $writer = Start-FifoWriter -Path (Join-Path $files 'feed') -Bytes 1MB
        $child = Start-ChildUpload -Id $image.Id -Path (Join-Path $files 'feed')
        try {
            Wait-Until { (Get-CatalogStatus -Id $image.Id) -eq 'saving' } | Should -BeTrue
            $other = New-RandomFile -Path (Join-Path $files 'other.raw') -Length 1000

            Send-ImageData -Id $image.Id -Path $other.FullName -ErrorVariable failures -ErrorAction SilentlyContinue

            $failures[0].FullyQualifiedErrorId | Should -BeLike 'ImageConflict,*'
            $failures[0].CategoryInfo.Category | Should -Be 'ResourceBusy'
            # Only the first upload's own data in progress: its partial file; in S3 nothing yet (its
            # first megabyte waits in memory for a whole part).
            # (The catalog says Saving a moment before the first writer has created its partial file.)
            if ($TestBackend -eq 'Servers') { @(Get-StoreFile).Count | Should -Be 0 }
            else { Wait-Until { @(Get-StoreFile).Count -eq 1 } | Should -BeTrue }
        }
        finally {
            Stop-Process -Id $writer.Id -Force -ErrorAction Ignore   # end of data: the first upload completes
        }
        $finished = $child.WaitForExit(60000)
        if (-not $finished) { Stop-Process -Id $child.Id -Force }
        $finished | Should -BeTrue
        $child.ExitCode | Should -Be 0

        $winner = Get-Image -Id $image.Id
        $winner.Status | Should -Be 'Active'
        $winner.Size | Should -Be 1MB
        $zeros = New-Item -ItemType File -Path (Join-Path $files 'zeros')
        [IO.File]::WriteAllBytes($zeros.FullName, [byte[]]::new(1MB))
        $winner.Checksum | Should -Be (Get-ExternalHash $zeros.FullName md5)
    }

    It 'shows one progress record per image and completes it' {
        New-RandomFile -Path (Join-Path $files 'one.raw') -Length 3MB | Out-Null
        New-RandomFile -Path (Join-Path $files 'two.raw') -Length 2MB | Out-Null
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript("Import-Module '$ManifestPath'; `$env:IMAGEPS_HOME = '$repository'; Get-ChildItem '$files' | New-Image | Send-ImageData")
            $images = $shell.Invoke()
            $records = @($shell.Streams.Progress)
        }
        finally { $shell.Dispose() }

        $images.Count | Should -Be 2
        $completed = @($records | Where-Object RecordType -EQ 'Completed')
        $completed.Count | Should -Be 2
        ($completed.ActivityId | Select-Object -Unique).Count | Should -Be 2
        $completed | ForEach-Object { $_.PercentComplete | Should -Be 100 }
        $completed.Activity | Should -Match 'Uploading (one|two)'
        $completed[0].StatusDescription | Should -Match ' of '
    }

    It 'shows no progress when $ProgressPreference is SilentlyContinue' {
        New-RandomFile -Path (Join-Path $files 'quiet.raw') -Length 1MB | Out-Null
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript("Import-Module '$ManifestPath'; `$env:IMAGEPS_HOME = '$repository'; `$ProgressPreference = 'SilentlyContinue'; Get-ChildItem '$files' | New-Image | Send-ImageData")
            $images = $shell.Invoke()
            $shell.Streams.Progress.Count | Should -Be 0
        }
        finally { $shell.Dispose() }
        $images[0].Status | Should -Be 'Active'
    }
}

Describe 'Send-ImageData into the filesystem store' {
    BeforeEach {
        $repository = Use-TestRepository
        $files = Join-Path $TestDrive ('files-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $files | Out-Null
    }

    It 'reports a full disk with StorageFull and leaves no partial file' -Skip:(-not $IsLinux) {
        if ((& id -u) -ne '0') { Set-ItResult -Skipped -Because 'mounting a small tmpfs needs root'; return }
        $image = (New-RandomFile -Path (Join-Path $files 'big.raw') -Length 3MB) | New-Image
        $store = Join-Path $repository 'images'
        & mount -t tmpfs -o size=1m imageps-test $store
        if ($LASTEXITCODE) { Set-ItResult -Skipped -Because 'tmpfs could not be mounted here'; return }
        try {
            $image | Send-ImageData -ErrorVariable failures -ErrorAction SilentlyContinue

            $failures[0].FullyQualifiedErrorId | Should -BeLike 'StorageFull,*'
            $failures[0].CategoryInfo.Category | Should -Be 'WriteError'
            Get-StoreFile | Should -BeNullOrEmpty
            (Get-Image -Id $image.Id).Status | Should -Be 'Queued'
        }
        finally { & umount $store }
    }

    It 'reports a full disk under direct I/O (loop-mounted ext4) with StorageFull and leaves no partial file' -Skip:(-not $IsLinux) {
        if ((& id -u) -ne '0') { Set-ItResult -Skipped -Because 'loop-mounting a filesystem needs root'; return }
        $image = (New-RandomFile -Path (Join-Path $files 'big.raw') -Length 24MB) | New-Image
        $store = Join-Path $repository 'images'
        $disk = Join-Path $TestDrive ('disk-' + [guid]::NewGuid().ToString('N') + '.img')
        & truncate -s 12M $disk
        & mkfs.ext4 -q -F $disk 2>$null
        & mount -o loop $disk $store 2>$null
        if ($LASTEXITCODE) { Set-ItResult -Skipped -Because 'no loop device could be used here'; return }
        try {
            $image | Send-ImageData -ErrorVariable failures -ErrorAction SilentlyContinue

            $failures[0].FullyQualifiedErrorId | Should -BeLike 'StorageFull,*'
            $failures[0].CategoryInfo.Category | Should -Be 'WriteError'
            Get-ChildItem -LiteralPath $store -File | Should -BeNullOrEmpty
            (Get-Image -Id $image.Id).Status | Should -Be 'Queued'
        }
        finally { & umount $store }
    }

    It 'reports a store it may not write to with StoreAccessDenied' -Skip:(-not $IsLinux) {
        if ((& id -u) -ne '0' -or -not (Get-Command chattr -ErrorAction Ignore)) { Set-ItResult -Skipped -Because 'chattr +i needs root'; return }
        $image = (New-RandomFile -Path (Join-Path $files 'denied.raw') -Length 1000) | New-Image
        $store = Join-Path $repository 'images'
        & chattr +i $store 2>$null
        if ($LASTEXITCODE) { Set-ItResult -Skipped -Because 'this filesystem has no immutable attribute'; return }
        try {
            $image | Send-ImageData -ErrorVariable failures -ErrorAction SilentlyContinue

            $failures[0].FullyQualifiedErrorId | Should -BeLike 'StoreAccessDenied,*'
            $failures[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
            (Get-Image -Id $image.Id).Status | Should -Be 'Queued'
        }
        finally { & chattr -i $store }
        Get-StoreFile | Should -BeNullOrEmpty
    }
}

Describe 'Signed images (<TestBackend>)' -ForEach (Get-TestBackend) {
    BeforeEach {
        $repository = Use-TestRepository
        $files = Join-Path $TestDrive ('signed-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $files | Out-Null
        $key = Join-Path $files 'key.pem'
        $certificate = Join-Path $files 'cert.pem'
        & openssl req -x509 -nodes -days 2 -subj '/CN=imageps-pester' -newkey rsa:2048 -keyout $key -out $certificate 2>$null
        $certificateId = [guid]::NewGuid()
        New-Item -ItemType Directory -Path (Join-Path $repository 'certificates') -Force | Out-Null
        Copy-Item $certificate (Join-Path $repository "certificates/$certificateId.pem")
        $data = New-RandomFile -Path (Join-Path $files 'signed.raw') -Length 2MB
        & openssl dgst -sha256 -sign $key -sigopt rsa_padding_mode:pss -out (Join-Path $files 'sig') $data.FullName
        $signature = @{
            img_signature                  = [Convert]::ToBase64String([IO.File]::ReadAllBytes((Join-Path $files 'sig')))
            img_signature_hash_method      = 'SHA-256'
            img_signature_key_type         = 'RSA-PSS'
            img_signature_certificate_uuid = "$certificateId"
        }
    }

    It 'verifies an openssl signature during the upload' {
        $image = $data | New-Image -Property $signature | Send-ImageData
        $image.Status | Should -Be 'Active'
        $image.Properties.img_signature_key_type | Should -Be 'RSA-PSS'
    }

    It 'fails a signature over other data with SignatureVerificationFailed and keeps nothing' {
        $other = New-RandomFile -Path (Join-Path $files 'other.raw') -Length 2MB
        $image = New-Image -Name tampered -DiskFormat raw -Property $signature

        $image | Send-ImageData -Path $other.FullName -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures[0].FullyQualifiedErrorId | Should -BeLike 'SignatureVerificationFailed,*'
        $failures[0].CategoryInfo.Category | Should -Be 'SecurityError'
        (Get-Image -Id $image.Id).Status | Should -Be 'Queued'
        Get-StoreFile | Should -BeNullOrEmpty
    }

    It 'refuses half a signature at New-Image' {
        $partial = @{ img_signature = $signature.img_signature; img_signature_key_type = 'RSA-PSS' }
        New-Image -Name half -Property $partial -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        $failures[0].FullyQualifiedErrorId | Should -BeLike 'InvalidSignatureProperties,*'
        $failures[0].Exception.Message | Should -Match 'img_signature_hash_method'
        Get-Image | Should -BeNullOrEmpty
    }
}
