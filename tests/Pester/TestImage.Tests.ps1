# Test-Image against the built module, once per configuration: intact, damaged, missing and unsafe
# data at rest, images without data, -Quiet, -Deactivate with and without -WhatIf, the events, the
# view, and the one-line compliance check the README shows.

BeforeDiscovery {
    . $PSScriptRoot/TestBackends.ps1
}

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1

    function Remove-StoredData {
        # Deletes the image's data behind ImagePs's back: the file, or the object in the bucket.
        param([Parameter(Mandatory)] [guid] $Id)
        $store = (Get-RepositorySetting).Store
        if ($store -and $store.Provider -eq 'S3') { Invoke-S3Request "$($store.Bucket)/$Id" -Method DELETE | Out-Null }
        else { Remove-Item -LiteralPath (Join-Path $env:IMAGEPS_HOME "images/$Id") }
    }

    function Set-StoredData {
        # Replaces the image's stored bytes with $Bytes, or their first $Length bytes (damage, tampering).
        param([Parameter(Mandatory)] [guid] $Id, [Parameter(Mandatory)] [byte[]] $Bytes, [long] $Length = -1)
        $file = Join-Path $TestDrive ('replaced-' + [guid]::NewGuid().ToString('N'))
        [IO.File]::WriteAllBytes($file, $Bytes)
        if ($Length -ge 0) {
            $stream = [IO.File]::OpenWrite($file)
            try { $stream.SetLength($Length) } finally { $stream.Dispose() }
        }
        Import-StoredData -Id $Id -Path $file
    }

    function Get-StoredBytes {
        param([Parameter(Mandatory)] [guid] $Id)
        # One byte[] (not enumerated into the pipeline byte by byte).
        , [IO.File]::ReadAllBytes((Export-StoredData -Id $Id -Path (Join-Path $TestDrive ('stored-' + [guid]::NewGuid().ToString('N')))))
    }
}

Describe 'Test-Image (<TestBackend>)' -ForEach (Get-TestBackend) {
    BeforeEach {
        $repository = Use-TestRepository
        $files = Join-Path $TestDrive ('files-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $files | Out-Null
        $qcow2 = New-QemuImage -Format qcow2 -Path (Join-Path $files 'debian-12.qcow2') -Size 64M -WriteMiB 3
        $raw = New-RandomFile -Path (Join-Path $files 'appliance.raw') -Length 2MB
        $debian = $qcow2 | New-Image -Tag golden | Send-ImageData
        $appliance = $raw | New-Image -Tag golden | Send-ImageData
    }

    It 'passes intact images, one result per image with the figures read' {
        $results = @(Get-Image -Tag golden | Test-Image)

        $results.Count | Should -Be 2
        $results | ForEach-Object { $_ | Should -BeOfType ([ImagePs.ImageVerification]) }
        $result = $results | Where-Object Id -EQ $debian.Id
        $result.Passed | Should -BeTrue
        $result.Reason | Should -Be 'Intact'
        $result.Name | Should -Be 'debian-12'
        $result.ActualSize | Should -Be $qcow2.Length
        $result.BytesRead | Should -Be $qcow2.Length
        $result.ActualChecksum | Should -Be (Get-ExternalHash $qcow2.FullName md5)
        $result.ActualOsHashValue | Should -Be (Get-ExternalHash $qcow2.FullName sha512)
        $result.DetectedFormat | Should -Be 'qcow2'
        ($results | Where-Object Id -EQ $appliance.Id).ActualChecksum | Should -Be (Get-ExternalHash $raw.FullName md5)
    }

    It 'is the one-line compliance check: nothing while intact, the damaged image once one is' {
        Get-Image -Tag golden | Test-Image | Where-Object { -not $_.Passed } | Should -BeNullOrEmpty

        $bytes = Get-StoredBytes -Id $appliance.Id
        $bytes[1000] = $bytes[1000] -bxor 0x01
        Set-StoredData -Id $appliance.Id -Bytes $bytes

        { Get-Image -Tag golden | Test-Image | Where-Object { -not $_.Passed } | Should -BeNullOrEmpty } | Should -Throw
        $failed = @(Get-Image -Tag golden | Test-Image | Where-Object { -not $_.Passed })
        $failed.Id | Should -Be $appliance.Id
    }

    It 'binds ids and GUID strings by position and from the pipeline' {
        (Test-Image $debian.Id).Id | Should -Be $debian.Id
        (Test-Image "$($debian.Id)").Id | Should -Be $debian.Id
        ("$($appliance.Id)" | Test-Image).Id | Should -Be $appliance.Id
        (Test-Image -Id $debian.Id, $appliance.Id).Id | Should -Be @($debian.Id, $appliance.Id)
    }

    It 'reports a flipped byte, a truncation and missing data, each by its reason' {
        $queued = New-Image -Name empty -DiskFormat raw -Tag golden
        $bytes = Get-StoredBytes -Id $debian.Id
        $bytes[70000] = $bytes[70000] -bxor 0x40
        Set-StoredData -Id $debian.Id -Bytes $bytes
        $short = Get-StoredBytes -Id $appliance.Id
        Set-StoredData -Id $appliance.Id -Bytes $short -Length ($short.Length - 1)

        $results = @(Get-Image -Tag golden | Test-Image)

        $flipped = $results | Where-Object Id -EQ $debian.Id
        $flipped.Reason | Should -Be 'ChecksumMismatch'
        $flipped.ActualSize | Should -Be $flipped.ExpectedSize
        $flipped.ActualChecksum | Should -Not -Be $flipped.ExpectedChecksum
        $flipped.ActualOsHashValue | Should -Not -Be $flipped.ExpectedOsHashValue
        $truncated = $results | Where-Object Id -EQ $appliance.Id
        $truncated.Reason | Should -Be 'SizeMismatch'
        $truncated.ActualSize | Should -Be (2MB - 1)
        ($results | Where-Object Id -EQ $queued.Id).Reason | Should -Be 'NoData'
        $results.Passed | Should -Not -Contain $true

        Remove-StoredData -Id $appliance.Id
        $missing = Test-Image -Id $appliance.Id
        $missing.Reason | Should -Be 'DataMissing'
        $missing.Passed | Should -BeFalse
    }

    It 'finds content that fails today''s safety rules (Unsafe) even when its hashes are those in the catalog' {
        $unsafe = Join-Path $files 'top.qcow2'
        & qemu-img create -q -f qcow2 -o 'backing_file=/etc/passwd,backing_fmt=raw' $unsafe 16M
        $bytes = [IO.File]::ReadAllBytes($unsafe)
        Set-StoredData -Id $debian.Id -Bytes $bytes
        # As if an older ImagePs had accepted it: the catalog records these very bytes.
        Invoke-CatalogQuery -Sql ("UPDATE images SET size = $($bytes.Length), checksum = '$(Get-ExternalHash $unsafe md5)', " +
            "os_hash_value = '$(Get-ExternalHash $unsafe sha512)' WHERE id = '$($debian.Id)'") | Out-Null

        $result = Test-Image -Id $debian.Id

        $result.Reason | Should -Be 'Unsafe'
        $result.ActualChecksum | Should -Be $result.ExpectedChecksum
        $result.Findings.Check | Should -Be 'backing-file'
        $result.Message | Should -Match '/etc/passwd'
    }

    It 'returns one bool per image with -Quiet, as Test-Path does' {
        Remove-StoredData -Id $appliance.Id

        $answers = @(Get-Image -Tag golden | Test-Image -Quiet)

        $answers.Count | Should -Be 2
        $answers | ForEach-Object { $_ | Should -BeOfType ([bool]) }
        Test-Image -Id $debian.Id -Quiet | Should -BeTrue
        Test-Image -Id $appliance.Id -Quiet | Should -BeFalse
    }

    It 'changes nothing with -Deactivate -WhatIf' {
        Remove-StoredData -Id $appliance.Id
        $events = @(Get-ImageEvent).Count

        $results = @(Get-Image -Tag golden | Test-Image -Deactivate -WhatIf)

        ($results | Where-Object Id -EQ $appliance.Id).Reason | Should -Be 'DataMissing'
        (Get-Image -Id $appliance.Id).Status | Should -Be 'Active'
        @(Get-ImageEvent).Count | Should -Be $events -Because 'a dry run leaves no trace, not even image.verify events'
    }

    It 'deactivates the images that fail with -Deactivate, and reports every test as image.verify' {
        $bytes = Get-StoredBytes -Id $appliance.Id
        $bytes[0] = $bytes[0] -bxor 0xFF
        Set-StoredData -Id $appliance.Id -Bytes $bytes

        $results = @(Get-Image -Tag golden | Test-Image -Deactivate -Confirm:$false)

        ($results | Where-Object Id -EQ $appliance.Id).Reason | Should -Be 'ChecksumMismatch'
        (Get-Image -Id $appliance.Id).Status | Should -Be 'Deactivated'
        (Get-Image -Id $debian.Id).Status | Should -Be 'Active'
        $verified = @(Get-ImageEvent -EventType image.verify)
        ($verified | Where-Object ImageId -EQ $appliance.Id).Priority | Should -Be 'ERROR'
        ($verified | Where-Object ImageId -EQ $appliance.Id).Payload | Should -Match 'ChecksumMismatch'
        ($verified | Where-Object ImageId -EQ $debian.Id).Priority | Should -Be 'INFO'
        @(Get-ImageEvent -EventType image.update -ImageId $appliance.Id | Where-Object { $_.Payload.status -eq 'deactivated' }).Count | Should -Be 1

        # Deactivated images are verified too, and not deactivated twice.
        $again = Test-Image -Id $appliance.Id -Deactivate -Confirm:$false
        $again.Status | Should -Be 'Deactivated'
        $again.Reason | Should -Be 'ChecksumMismatch'
    }

    It 'shows one progress bar over the whole input, by bytes, and completes it' {
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript("Import-Module '$ManifestPath'; `$env:IMAGEPS_HOME = '$repository'; Get-Image -Tag golden | Test-Image")
            $results = $shell.Invoke()
            $records = @($shell.Streams.Progress)
        }
        finally { $shell.Dispose() }

        $results.Count | Should -Be 2
        $records | Should -Not -BeNullOrEmpty
        ($records.ActivityId | Select-Object -Unique).Count | Should -Be 1
        $records.Activity | Select-Object -Unique | Should -Be 'Verifying 2 image(s)'
        $completed = @($records | Where-Object RecordType -EQ 'Completed')
        $completed.Count | Should -Be 1
        $completed[0].PercentComplete | Should -Be 100
        $completed[0].StatusDescription | Should -Match ' of '
        $completed[0].CurrentOperation | Should -Match '^2 of 2: '
    }

    It 'shows a table that fits 80 columns' {
        $table = Get-Image -Tag golden | Test-Image | Out-String -Width 80
        $table | Should -Match 'Id\s+Name\s+Passed\s+Reason\s+Size'
        $table | Should -Match "$($debian.Id.ToString().Substring(0, 8))\s+debian-12\s+True\s+Intact"
        foreach ($line in $table -split "`n") { $line.TrimEnd().Length | Should -BeLessOrEqual 80 }
    }
}

Describe 'Test-Image and the policy' {
    BeforeEach {
        $repository = Use-TestRepository
        $image = New-Image -Name empty -DiskFormat raw
    }

    AfterEach { Reset-Caller }

    It 'lets only a caller who could download the image verify it (rule verify_image, default download_image)' {
        Use-Caller -User viewer -Project $image.Owner -Roles reader

        Test-Image -Id $image.Id -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        $failures[0].FullyQualifiedErrorId | Should -BeLike 'PolicyDenied,*'
        $failures[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $failures[0].Exception.Message | Should -Match 'verify_image'
    }

    It 'follows a verify_image rule of the policy file' {
        Set-RepositoryFile -Name policy.yaml -Content "verify_image: 'role:reader'"
        Use-Caller -User viewer -Project $image.Owner -Roles reader

        (Test-Image -Id $image.Id).Reason | Should -Be 'NoData'
    }

    It 'writes ImageNotFound for an id that does not exist and goes on' {
        $results = @(Test-Image -Id ([guid]::NewGuid()), $image.Id -ErrorVariable failures -ErrorAction SilentlyContinue)

        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ImageNotFound,*'
        $results.Id | Should -Be $image.Id
    }
}
