BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
}

Describe 'Remove-Image' {
    BeforeEach {
        Use-TestRepository | Out-Null
        $file = New-RandomFile -Path (Join-Path $TestDrive ('data-' + [guid]::NewGuid().ToString('N') + '.raw')) -Length 4096
        $image = $file | New-Image -Name doomed | Send-ImageData
        $stored = Join-Path $env:IMAGEPS_HOME "images/$($image.Id)"
    }

    It 'deletes the record and the data' {
        $stored | Should -Exist

        Remove-Image -Id $image.Id -Confirm:$false

        $stored | Should -Not -Exist
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

        $stored | Should -Exist
        (Get-Image -Id $image.Id).Status | Should -Be 'Active'
    }

    It 'changes nothing with -WhatIf even with -Force' {
        Remove-Image -Id $image.Id -WhatIf -Force

        $stored | Should -Exist
    }

    It 'asks first: in a non-interactive session without -Force it removes nothing' {
        { Remove-Image -Id $image.Id -ErrorAction Stop } | Should -Throw
        $stored | Should -Exist
        (Get-Image -Id $image.Id).Status | Should -Be 'Active'
    }

    It 'refuses a protected image with ImageProtected and leaves it untouched' {
        $guarded = $file | New-Image -Name guarded -Protected | Send-ImageData -ErrorAction Stop
        $guardedData = Join-Path $env:IMAGEPS_HOME "images/$($guarded.Id)"

        Remove-Image -Id $guarded.Id -Force -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ImageProtected,*'
        $failures[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $failures[0].TargetObject.Id | Should -Be $guarded.Id
        $guardedData | Should -Exist
        (Get-Image -Id $guarded.Id).Status | Should -Be 'Active'
    }

    It 'reports an unknown id and goes on with the others' {
        $missing = [guid]::NewGuid()
        Remove-Image -Id $missing, $image.Id -Force -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ImageNotFound,*'
        $failures[0].TargetObject | Should -Be $missing
        $stored | Should -Not -Exist
    }

    It 'never reuses the id of a removed image' {
        Remove-Image -Id $image.Id -Force
        New-Image -Id $image.Id -Name again -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ImageAlreadyExists,*'
    }
}
