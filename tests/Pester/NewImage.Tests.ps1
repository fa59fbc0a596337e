BeforeDiscovery {
    . $PSScriptRoot/TestBackends.ps1
}

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
}

Describe 'New-Image (<TestBackend>)' -ForEach (Get-TestBackend) {
    BeforeEach {
        Use-TestRepository | Out-Null
        $files = Join-Path $TestDrive ('files-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $files | Out-Null
    }

    It 'creates a Queued record with Glance defaults and no data' {
        $image = New-Image -Name debian -DiskFormat qcow2

        $image.Status | Should -Be 'Queued'
        $image.ContainerFormat | Should -Be 'bare'
        $image.Visibility | Should -Be 'Shared'
        $image.Protected | Should -BeFalse
        $image.Hidden | Should -BeFalse
        $image.Size | Should -BeNullOrEmpty
        $image.Checksum | Should -BeNullOrEmpty
        $image.Owner | Should -Be ([Environment]::UserName)
        (Get-Image -Id $image.Id).Name | Should -Be 'debian'
    }

    It 'keeps every field it is given' {
        $id = [guid]::NewGuid()
        $image = New-Image -Id $id -Name web -DiskFormat VMDK -ContainerFormat ovf -Visibility Private `
            -Tag prod, web -Property @{ os_distro = 'ubuntu'; hw_disk_bus = 'scsi' } -MinDisk 20 -MinRam 2048 -Protected

        $stored = Get-Image -Id $id
        foreach ($i in $image, $stored) {
            $i.Id | Should -Be $id
            $i.DiskFormat | Should -Be 'vmdk'
            $i.ContainerFormat | Should -Be 'ovf'
            $i.Visibility | Should -Be 'Private'
            $i.Tags | Should -Be @('prod', 'web')
            $i.Properties['os_distro'] | Should -Be 'ubuntu'
            $i.Properties.hw_disk_bus | Should -Be 'scsi'
            $i.MinDisk | Should -Be 20
            $i.MinRam | Should -Be 2048
            $i.Protected | Should -BeTrue
        }
    }

    It 'names images from files after their base name and detects the format from content' {
        New-QemuImage -Format qcow2 -Path (Join-Path $files 'debian.img') | Out-Null   # qcow2 inside, .img outside
        New-QemuImage -Format vmdk -Path (Join-Path $files 'win.vmdk') | Out-Null
        New-RandomFile -Path (Join-Path $files 'rescue.bin') -Length 4096 | Out-Null

        $images = Get-ChildItem -LiteralPath $files | New-Image

        $images.Name | Sort-Object | Should -Be @('debian', 'rescue', 'win')
        ($images | Where-Object Name -EQ debian).DiskFormat | Should -Be 'qcow2'
        ($images | Where-Object Name -EQ win).DiskFormat | Should -Be 'vmdk'
        ($images | Where-Object Name -EQ rescue).DiskFormat | Should -Be 'raw'
        ($images | Where-Object Name -EQ debian).SourcePath | Should -Be (Join-Path $files 'debian.img')
    }

    It 'lets a typed -Name and -DiskFormat win over the file when the content allows it' {
        $file = New-RandomFile -Path (Join-Path $files 'kernel.img') -Length 4096   # raw content: ami is Glance-compatible

        $image = $file | New-Image -Name chosen -DiskFormat ami

        $image.Name | Should -Be 'chosen'
        $image.DiskFormat | Should -Be 'ami'
    }

    It 'takes names from objects on the pipeline' {
        $images = 1..3 | ForEach-Object { [pscustomobject]@{ Name = "img$_" } } | New-Image

        $images.Name | Should -Be @('img1', 'img2', 'img3')
        (Get-Image).Count | Should -Be 3
    }

    It 'resolves relative paths against the PowerShell location' {
        New-RandomFile -Path (Join-Path $files 'relative.raw') -Length 100 | Out-Null
        Push-Location $files
        try { $image = New-Image -Path ./relative.raw } finally { Pop-Location }

        $image.Name | Should -Be 'relative'
        $image.SourcePath | Should -Be (Join-Path $files 'relative.raw')
    }

    It 'changes nothing with -WhatIf' {
        New-Image -Name ghost -WhatIf | Should -BeNullOrEmpty
        Get-Image | Should -BeNullOrEmpty
    }

    It 'refuses <Case> with <ErrorId> (<Category>) and creates nothing' -ForEach @(
        @{ Case = 'an unknown disk format'; Arguments = @{ Name = 'x'; DiskFormat = 'qcow3' }; ErrorId = 'InvalidDiskFormat'; Category = 'InvalidArgument'; Names = 'qcow3' }
        @{ Case = 'an unknown container format'; Arguments = @{ Name = 'x'; ContainerFormat = 'tarball' }; ErrorId = 'InvalidContainerFormat'; Category = 'InvalidArgument'; Names = 'tarball' }
        @{ Case = 'a name over 255 characters'; Arguments = @{ Name = ('n' * 256) }; ErrorId = 'InvalidImageName'; Category = 'InvalidArgument'; Names = 'nnnn' }
        @{ Case = 'a reserved property'; Arguments = @{ Name = 'x'; Property = @{ owner = 'mallory' } }; ErrorId = 'ReservedProperty'; Category = 'PermissionDenied'; Names = 'owner' }
        @{ Case = 'a read-only property'; Arguments = @{ Name = 'x'; Property = @{ checksum = 'abc' } }; ErrorId = 'ReadOnlyProperty'; Category = 'PermissionDenied'; Names = 'checksum' }
        @{ Case = 'a negative MinDisk'; Arguments = @{ Name = 'x'; MinDisk = -1 }; ErrorId = 'InvalidMinDisk'; Category = 'InvalidArgument'; Names = '-1' }
        @{ Case = 'an empty tag'; Arguments = @{ Name = 'x'; Tag = ' ' }; ErrorId = 'InvalidTag'; Category = 'InvalidArgument'; Names = 'tag' }
        @{ Case = 'os_hidden as an extra property'; Arguments = @{ Name = 'x'; Property = @{ os_hidden = 'true' } }; ErrorId = 'InvalidProperty'; Category = 'InvalidArgument'; Names = 'os_hidden' }
    ) {
        $result = New-Image @Arguments -ErrorVariable failures -ErrorAction SilentlyContinue

        $result | Should -BeNullOrEmpty
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        $failures[0].CategoryInfo.Category | Should -Be $Category
        $failures[0].Exception.Message | Should -Match ([regex]::Escape($Names))
        Get-Image | Should -BeNullOrEmpty
    }

    It 'creates a hidden image with -Hidden: left out of listings, found by id' {
        $shown = New-Image -Name shown
        $image = New-Image -Name secret -DiskFormat raw -Hidden

        $image.Hidden | Should -BeTrue
        (Get-Image -Id $image.Id).Hidden | Should -BeTrue
        (Get-Image -Id $shown.Id).Hidden | Should -BeFalse
        @(Get-Image).Id | Should -Be @($shown.Id)
        @(Get-Image -IncludeHidden).Id | Should -Be @($shown.Id, $image.Id)
        $created = Get-ImageEvent -ImageId $image.Id -EventType image.create
        $created.Payload['os_hidden'] | Should -BeTrue
        (Get-ImageEvent -ImageId $shown.Id -EventType image.create).Payload['os_hidden'] | Should -BeFalse
    }

    It 'refuses a duplicate id with ImageAlreadyExists and keeps the first image' {
        $first = New-Image -Name first
        New-Image -Name second -Id $first.Id -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ImageAlreadyExists,*'
        $failures[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        (Get-Image -Id $first.Id).Name | Should -Be 'first'
    }

    It 'reports a bad file and goes on with the next one' {
        New-Item -ItemType Directory -Path (Join-Path $files 'a-folder') | Out-Null
        New-RandomFile -Path (Join-Path $files 'z-good.raw') -Length 512 | Out-Null

        $images = Get-ChildItem -LiteralPath $files | New-Image -ErrorVariable failures -ErrorAction SilentlyContinue

        $images.Name | Should -Be 'z-good'
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'SourceIsDirectory,*'
        $failures[0].TargetObject | Should -Be (Join-Path $files 'a-folder')
    }

    It 'reports a missing file with SourceFileNotFound' {
        New-Image -Path (Join-Path $files 'nope.qcow2') -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        $failures[0].FullyQualifiedErrorId | Should -BeLike 'SourceFileNotFound,*'
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].Exception.Message | Should -Match 'nope\.qcow2'
    }
}
