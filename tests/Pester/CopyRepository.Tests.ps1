BeforeDiscovery {
    . $PSScriptRoot/TestBackends.ps1
}

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
}

AfterAll {
    $env:IMAGEPS_S3_ACCESS_KEY = $null
    $env:IMAGEPS_S3_SECRET_KEY = $null
}

# An embedded repository (SQLite + files) copied into a repository of each configuration: another
# embedded one (a verified backup), or PostgreSQL + S3 with the S3 keys from the environment.
Describe 'Copy-ImageRepository into <TestBackend>' -ForEach (Get-TestBackend) {
    BeforeAll {
        $source = Use-TestRepository
        $files = New-Item -ItemType Directory -Path (Join-Path $TestDrive "copy-files-$TestBackend")
        New-QemuImage -Format qcow2 -Path (Join-Path $files 'debian.qcow2') -Size 1G -WriteMiB 7 | Out-Null
        New-RandomFile -Path (Join-Path $files 'rescue.raw') -Length 300000 | Out-Null
        $uploaded = @(Get-ChildItem -LiteralPath $files | New-Image -Tag release | Send-ImageData)
        $queued = New-Image -Name later -DiskFormat vhdx -Property @{ os_distro = 'windows' }
        $hidden = New-Image -Name retired -DiskFormat raw -Tag old -Hidden
        $gone = New-RandomFile -Path (Join-Path $TestDrive "gone-$TestBackend.raw") -Length 1000 | New-Image | Send-ImageData
        Remove-Image -Id $gone.Id -Force
        $sourceStore = @(Get-StoreFile).Name | Sort-Object

        # The destination folder: its imageps.json names where its catalog and store are.
        $destination = Join-Path $TestDrive "destination-$TestBackend"
        New-Item -ItemType Directory -Path $destination | Out-Null
        if ($TestBackend -eq 'Servers') {
            $settings = Add-ServerSetting | ConvertFrom-Json -AsHashtable
            $env:IMAGEPS_S3_ACCESS_KEY = $settings.Store.AccessKey
            $env:IMAGEPS_S3_SECRET_KEY = $settings.Store.SecretKey
            $settings.Store.Remove('AccessKey')
            $settings.Store.Remove('SecretKey')
            Set-Content -LiteralPath (Join-Path $destination 'imageps.json') -Value ($settings | ConvertTo-Json -Depth 5)
        }

        $env:IMAGEPS_HOME = $source
        $whatIf = @(Copy-ImageRepository -Destination $destination -WhatIf)
        $results = @(Copy-ImageRepository -Destination $destination)
        $shown = $results | Format-List * | Out-String
        $again = @(Copy-ImageRepository -Destination $destination)
    }

    AfterAll {
        $env:IMAGEPS_S3_ACCESS_KEY = $null
        $env:IMAGEPS_S3_SECRET_KEY = $null
    }

    It 'changes nothing with -WhatIf' {
        $whatIf | Should -BeNullOrEmpty
        $results.Count | Should -Be 5
    }

    It 'copies every image, deleted ones as records' {
        $results.Result | Sort-Object -Unique | Should -Be 'Copied'
        ($results | Where-Object Name -EQ 'debian').Status | Should -Be 'Active'
        ($results | Where-Object Name -EQ 'later').Location | Should -BeNullOrEmpty
        ($results | Where-Object ImageId -EQ $gone.Id).Status | Should -Be 'Deleted'
    }

    It 'leaves the source as it was' {
        $env:IMAGEPS_HOME = $source
        @(Get-StoreFile).Name | Sort-Object | Should -Be $sourceStore
        (Get-Image).Count | Should -Be 3
    }

    It 'gives the destination the same images, with verified data in its store' {
        $env:IMAGEPS_HOME = $destination
        $copies = @(Get-Image)
        $copies.Count | Should -Be 3
        foreach ($original in $uploaded) {
            $copy = $copies | Where-Object Id -EQ $original.Id
            $copy.Status | Should -Be 'Active'
            $copy.Checksum | Should -Be $original.Checksum
            $copy.OsHashValue | Should -Be $original.OsHashValue
            $copy.VirtualSize | Should -Be $original.VirtualSize
            $copy.CreatedAt | Should -Be $original.CreatedAt
            $copy.Tags | Should -Be @('release')
            $copy.Locations[0].Url | Should -BeLike $(if ($TestBackend -eq 'Servers') { 's3://*' } else { 'file://*' })
            $target = Join-Path $TestDrive "restored-$TestBackend-$($copy.Id)"
            $copy | Save-ImageData -Path $target
            Get-ExternalHash -Path $target -Algorithm sha512 | Should -Be $original.OsHashValue
        }
        (Get-Image -Name later).Properties.os_distro | Should -Be 'windows'
        @(Get-StoreFile).Name | Sort-Object | Should -Be ($uploaded.Id | ForEach-Object { "$_" } | Sort-Object)
        { New-Image -Id $gone.Id -Name reuse -ErrorAction Stop } | Should -Throw -ErrorId 'ImageAlreadyExists,*'
    }

    It 'carries hidden images, still hidden' {
        ($results | Where-Object ImageId -EQ $hidden.Id).Result | Should -Be 'Copied'
        $env:IMAGEPS_HOME = $destination
        $copy = Get-Image -Id $hidden.Id
        $copy.Hidden | Should -BeTrue
        $copy.Name | Should -Be 'retired'
        $copy.Tags | Should -Be @('old')
        @(Get-Image).Id | Should -Not -Contain $hidden.Id
        (Get-Image -IncludeHidden | Where-Object Hidden).Id | Should -Be $hidden.Id
        (Get-Image -Id $queued.Id).Hidden | Should -BeFalse
    }

    It 'copies nothing twice when run again' {
        $again.Result | Sort-Object -Unique | Should -Be 'AlreadyCopied'
        $env:IMAGEPS_HOME = $destination
        (Get-Image).Count | Should -Be 3
    }

    It 'never shows a secret in its output' {
        $shown | Should -Not -BeNullOrEmpty
        if ($TestBackend -eq 'Servers') {
            $shown | Should -Not -Match ([regex]::Escape($env:IMAGEPS_S3_SECRET_KEY))
            $password = ([regex]'Password=([^;]+)').Match($env:IMAGEPS_TEST_POSTGRESQL).Groups[1].Value
            $shown | Should -Not -Match ([regex]::Escape($password))
        }
    }

    It 'refuses the repository itself as the destination' {
        $env:IMAGEPS_HOME = $source
        { Copy-ImageRepository -Destination $source -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidCopyDestination,*'
    }
}
