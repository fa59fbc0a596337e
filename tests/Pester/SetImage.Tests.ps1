BeforeDiscovery {
    . $PSScriptRoot/TestBackends.ps1
}

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
}

Describe 'Set-Image (<TestBackend>)' -ForEach (Get-TestBackend) {
    BeforeEach {
        Use-TestRepository | Out-Null
        $queued = New-Image -Name queued -DiskFormat raw -Tag old, keep -Property @{ stale = 'x'; os_distro = 'debian' }
        $file = New-RandomFile -Path (Join-Path $TestDrive ('data-' + [guid]::NewGuid().ToString('N') + '.raw')) -Length 4096
        $active = $file | New-Image -Name active | Send-ImageData
    }

    It 'changes every field it is given and nothing else' {
        Set-Image -Id $queued.Id -Name renamed -Visibility Private -Protected $true -MinDisk 10 -MinRam 512 `
            -DiskFormat QCOW2 -ContainerFormat ova -AddTag new -RemoveTag old -Property @{ os_distro = 'ubuntu'; hw_disk_bus = 'scsi' } `
            -RemoveProperty stale

        $stored = Get-Image -Id $queued.Id
        $stored.Name | Should -Be 'renamed'
        $stored.Visibility | Should -Be 'Private'
        $stored.Protected | Should -BeTrue
        $stored.MinDisk | Should -Be 10
        $stored.MinRam | Should -Be 512
        $stored.DiskFormat | Should -Be 'qcow2'
        $stored.ContainerFormat | Should -Be 'ova'
        $stored.Tags | Should -Be @('keep', 'new')
        $stored.Properties.Keys | Sort-Object | Should -Be @('hw_disk_bus', 'os_distro')
        $stored.Properties['os_distro'] | Should -Be 'ubuntu'
        (Get-Image -Id $active.Id).Name | Should -Be 'active'
    }

    It 'writes nothing by default and the saved image with -PassThru' {
        Set-Image -Id $queued.Id -MinRam 1 | Should -BeNullOrEmpty

        $result = Set-Image -Id $queued.Id -MinRam 2 -PassThru

        $result.Id | Should -Be $queued.Id
        $result.MinRam | Should -Be 2
        $result | Should -BeOfType ([ImagePs.Image])
    }

    It 'takes images from the pipeline by value and ids by property name' {
        $queued, $active | Set-Image -AddTag piped
        [pscustomobject]@{ Id = $queued.Id } | Set-Image -AddTag by-name

        (Get-Image -Tag piped).Name | Should -Be @('queued', 'active')
        (Get-Image -Tag by-name).Name | Should -Be 'queued'
    }

    It 'changes metadata of an Active image but keeps its data' {
        $changed = $active | Set-Image -Name golden -Protected $true -PassThru

        $changed.Status | Should -Be 'Active'
        $changed.Size | Should -Be 4096
        $changed.Checksum | Should -Be (Get-ExternalHash -Path $file.FullName -Algorithm md5)
        Test-StoredData -Id $active.Id | Should -BeTrue
    }

    It 'refuses a format change once the image has data with ImageFormatNotChangeable, changing nothing' {
        $active | Set-Image -Name not-saved -DiskFormat qcow2 -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Be 'ImageFormatNotChangeable,ImagePs.Commands.SetImageCommand'
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        $failures[0].TargetObject.Id | Should -Be $active.Id
        $failures[0].Exception.Message | Should -Match 'disk format'
        $failures[0].Exception.Message | Should -Match 'qcow2'
        $stored = Get-Image -Id $active.Id
        $stored.DiskFormat | Should -Be 'raw'
        $stored.Name | Should -Be 'active'
    }

    It 'refuses <Case> with <ErrorId> (<Category>) and changes nothing' -ForEach @(
        @{ Case = 'a read-only property'; Arguments = @{ Property = @{ status = 'active' } }; ErrorId = 'ReadOnlyProperty'; Category = 'PermissionDenied' }
        @{ Case = 'a reserved property'; Arguments = @{ Property = @{ owner = 'mallory' } }; ErrorId = 'ReservedProperty'; Category = 'PermissionDenied' }
        @{ Case = 'removing a read-only property'; Arguments = @{ RemoveProperty = 'checksum' }; ErrorId = 'ReadOnlyProperty'; Category = 'PermissionDenied' }
        @{ Case = 'removing an attribute'; Arguments = @{ RemoveProperty = 'name' }; ErrorId = 'InvalidProperty'; Category = 'InvalidArgument' }
        @{ Case = 'a negative MinDisk'; Arguments = @{ MinDisk = -1 }; ErrorId = 'InvalidMinDisk'; Category = 'InvalidArgument' }
        @{ Case = 'an unknown disk format'; Arguments = @{ DiskFormat = 'qcow3' }; ErrorId = 'InvalidDiskFormat'; Category = 'InvalidArgument' }
        @{ Case = 'os_hidden as an extra property'; Arguments = @{ Property = @{ os_hidden = 'True' } }; ErrorId = 'InvalidProperty'; Category = 'InvalidArgument' }
        @{ Case = 'removing os_hidden'; Arguments = @{ RemoveProperty = 'os_hidden' }; ErrorId = 'InvalidProperty'; Category = 'InvalidArgument' }
    ) {
        Set-Image -Id $queued.Id -Name not-saved -AddTag not-saved @Arguments -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        $failures[0].CategoryInfo.Category | Should -Be $Category
        $stored = Get-Image -Id $queued.Id
        $stored.Name | Should -Be 'queued'
        $stored.Tags | Should -Be @('keep', 'old')
        $stored.Properties.Count | Should -Be 2
    }

    It 'hides an image with -Hidden $true and shows it again with $false, keeping its data' {
        $active | Set-Image -Hidden $true -WhatIf
        (Get-Image -Id $active.Id).Hidden | Should -BeFalse

        $hidden = $active | Set-Image -Hidden $true -PassThru
        $hidden.Hidden | Should -BeTrue
        (Get-Image -Id $active.Id).Hidden | Should -BeTrue
        @(Get-Image).Id | Should -Be @($queued.Id)
        (Get-Image -Name active -IncludeHidden).Id | Should -Be $active.Id
        (Get-ImageEvent -ImageId $active.Id -EventType image.update | Select-Object -Last 1).Payload['os_hidden'] | Should -BeTrue

        # Found by id, so every cmdlet taking -Id still acts on it.
        Set-Image -Id $active.Id -AddTag still-here
        Disable-Image -Id $active.Id -Confirm:$false | Out-Null
        (Get-Image $active.Id.ToString()).Status | Should -Be 'Deactivated'

        Set-Image -Id $active.Id -Hidden $false
        $shown = Get-Image -Id $active.Id
        $shown.Hidden | Should -BeFalse
        $shown.Tags | Should -Contain 'still-here'
        $shown.Checksum | Should -Be $active.Checksum
        $shown.Size | Should -Be 4096
        @(Get-Image).Id | Should -Be @($queued.Id, $active.Id)
    }

    It 'reports an unknown id and goes on with the others' {
        $missing = [guid]::NewGuid()
        Set-Image -Id $missing, $queued.Id -AddTag found -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ImageNotFound,*'
        $failures[0].TargetObject | Should -Be $missing
        (Get-Image -Id $queued.Id).Tags | Should -Contain 'found'
    }

    It 'changes nothing with -WhatIf' {
        Set-Image -Id $queued.Id -Name ghost -DiskFormat vmdk -AddTag ghost -WhatIf

        $stored = Get-Image -Id $queued.Id
        $stored.Name | Should -Be 'queued'
        $stored.DiskFormat | Should -Be 'raw'
        $stored.UpdatedAt | Should -Be $queued.UpdatedAt
    }
}

Describe 'Disable-Image and Enable-Image (<TestBackend>)' -ForEach (Get-TestBackend) {
    BeforeEach {
        Use-TestRepository | Out-Null
        $file = New-RandomFile -Path (Join-Path $TestDrive ('data-' + [guid]::NewGuid().ToString('N') + '.raw')) -Length 2048
        $active = $file | New-Image -Name served | Send-ImageData
        $queued = New-Image -Name waiting
    }

    It 'deactivates an Active image and reactivates it, keeping its data' {
        $active | Disable-Image
        (Get-Image -Id $active.Id).Status | Should -Be 'Deactivated'
        Test-StoredData -Id $active.Id | Should -BeTrue

        $result = Enable-Image -Id $active.Id -PassThru

        $result.Status | Should -Be 'Active'
        (Get-Image -Id $active.Id).Status | Should -Be 'Active'
        (Get-Image -Id $active.Id).Checksum | Should -Be $active.Checksum
    }

    It 'leaves an image already in the target status as it is' {
        (Enable-Image -Id $active.Id -PassThru).Status | Should -Be 'Active'
        Disable-Image -Id $active.Id
        $deactivated = Get-Image -Id $active.Id

        (Disable-Image -Id $active.Id -PassThru).Status | Should -Be 'Deactivated'
        (Get-Image -Id $active.Id).UpdatedAt | Should -Be $deactivated.UpdatedAt
    }

    It 'refuses a Queued image with InvalidStatusTransition' {
        Disable-Image -Id $queued.Id -ErrorVariable failures -ErrorAction SilentlyContinue
        Enable-Image -Id $queued.Id -ErrorVariable +failures -ErrorAction SilentlyContinue

        $failures.Count | Should -Be 2
        $failures.FullyQualifiedErrorId | Should -Be @('InvalidStatusTransition,ImagePs.Commands.DisableImageCommand', 'InvalidStatusTransition,ImagePs.Commands.EnableImageCommand')
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        $failures[0].Exception.Message | Should -Match 'Queued'
        (Get-Image -Id $queued.Id).Status | Should -Be 'Queued'
    }

    It 'takes ids by property name' {
        [pscustomobject]@{ Id = $active.Id } | Disable-Image

        (Get-Image -Id $active.Id).Status | Should -Be 'Deactivated'
    }

    It 'changes nothing with -WhatIf' {
        $active | Disable-Image -WhatIf
        (Get-Image -Id $active.Id).Status | Should -Be 'Active'

        Disable-Image -Id $active.Id
        $active | Enable-Image -WhatIf
        (Get-Image -Id $active.Id).Status | Should -Be 'Deactivated'
    }
}
