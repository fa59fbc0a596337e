BeforeDiscovery {
    . $PSScriptRoot/TestBackends.ps1
}

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
}

Describe 'Remove-Image (<TestBackend>)' -ForEach (Get-TestBackend) {
    BeforeEach {
        Use-TestRepository | Out-Null
        $file = New-RandomFile -Path (Join-Path $TestDrive ('data-' + [guid]::NewGuid().ToString('N') + '.raw')) -Length 4096
        $image = $file | New-Image -Name doomed | Send-ImageData
    }

    It 'deletes the record and the data' {
        Test-StoredData -Id $image.Id | Should -BeTrue

        Remove-Image -Id $image.Id -Confirm:$false

        Test-StoredData -Id $image.Id | Should -BeFalse
        Get-Image | Should -BeNullOrEmpty
        Get-Image -Id $image.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'takes images from the pipeline with -Force' {
        $other = New-Image -Name other -Tag cleanup
        $image, $other | Remove-Image -Force

        Get-Image | Should -BeNullOrEmpty
        Get-StoreFile | Should -BeNullOrEmpty
    }

    It 'changes nothing with -WhatIf' {
        Remove-Image -Id $image.Id -WhatIf

        Test-StoredData -Id $image.Id | Should -BeTrue
        (Get-Image -Id $image.Id).Status | Should -Be 'Active'
    }

    It 'changes nothing with -WhatIf even with -Force' {
        Remove-Image -Id $image.Id -WhatIf -Force

        Test-StoredData -Id $image.Id | Should -BeTrue
    }

    It 'asks first: in a non-interactive session without -Force it removes nothing' {
        { Remove-Image -Id $image.Id -ErrorAction Stop } | Should -Throw
        Test-StoredData -Id $image.Id | Should -BeTrue
        (Get-Image -Id $image.Id).Status | Should -Be 'Active'
    }

    It 'refuses a protected image with ImageProtected and leaves it untouched' {
        $guarded = $file | New-Image -Name guarded -Protected | Send-ImageData -ErrorAction Stop

        Remove-Image -Id $guarded.Id -Force -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ImageProtected,*'
        $failures[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $failures[0].TargetObject.Id | Should -Be $guarded.Id
        Test-StoredData -Id $guarded.Id | Should -BeTrue
        (Get-Image -Id $guarded.Id).Status | Should -Be 'Active'
    }

    It 'reports an unknown id and goes on with the others' {
        $missing = [guid]::NewGuid()
        Remove-Image -Id $missing, $image.Id -Force -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ImageNotFound,*'
        $failures[0].TargetObject | Should -Be $missing
        Test-StoredData -Id $image.Id | Should -BeFalse
    }

    It 'never reuses the id of a removed image' {
        Remove-Image -Id $image.Id -Force
        New-Image -Id $image.Id -Name again -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ImageAlreadyExists,*'
    }
}
