BeforeDiscovery {
    . $PSScriptRoot/TestBackends.ps1
}

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
}

Describe 'Get-Image (<TestBackend>)' -ForEach (Get-TestBackend) {
    BeforeAll {
        Use-TestRepository | Out-Null
        $debian = New-Image -Name Debian-12 -DiskFormat qcow2 -Visibility Public -Tag nightly, linux
        $ubuntu = New-Image -Name ubuntu-24 -DiskFormat qcow2 -Visibility Private -Tag linux
        $windows = New-Image -Name 'win 2022 [core]' -DiskFormat vhdx -Tag Nightly
        $file = New-RandomFile -Path (Join-Path $TestDrive 'active.raw') -Length 1000
        $active = $file | New-Image -Name 'rescue_100%' | Send-ImageData
    }

    It 'lists every image, oldest first' {
        (Get-Image).Id | Should -Be @($debian.Id, $ubuntu.Id, $windows.Id, $active.Id)
    }

    It 'filters by <Filter>' -ForEach @(
        @{ Filter = 'a name wildcard'; Arguments = @{ Name = 'debian*' }; Expected = 'Debian-12' }
        @{ Filter = 'several names'; Arguments = @{ Name = 'debian*', 'UBUNTU-24' }; Expected = 'Debian-12', 'ubuntu-24' }
        @{ Filter = 'a bracket wildcard'; Arguments = @{ Name = '*-[0-9][0-9]' }; Expected = 'Debian-12', 'ubuntu-24' }
        @{ Filter = 'a literal bracket'; Arguments = @{ Name = 'win 2022 `[core`]' }; Expected = 'win 2022 [core]' }
        @{ Filter = 'SQL wildcards taken literally'; Arguments = @{ Name = 'rescue_100%' }; Expected = 'rescue_100%' }
        @{ Filter = 'status'; Arguments = @{ Status = 'Active' }; Expected = 'rescue_100%' }
        @{ Filter = 'a tag, case-insensitively'; Arguments = @{ Tag = 'NIGHTLY' }; Expected = 'Debian-12', 'win 2022 [core]' }
        @{ Filter = 'all of several tags'; Arguments = @{ Tag = 'nightly', 'linux' }; Expected = 'Debian-12' }
        @{ Filter = 'visibility'; Arguments = @{ Visibility = 'Private', 'Public' }; Expected = 'Debian-12', 'ubuntu-24' }
        @{ Filter = 'disk format'; Arguments = @{ DiskFormat = 'VHDX' }; Expected = 'win 2022 [core]' }
        @{ Filter = 'name and status together'; Arguments = @{ Name = '*'; Status = 'Queued'; DiskFormat = 'qcow2' }; Expected = 'Debian-12', 'ubuntu-24' }
    ) {
        (Get-Image @Arguments).Name | Should -Be $Expected
    }

    It 'gets images by id, also from the pipeline' {
        (Get-Image -Id $ubuntu.Id).Name | Should -Be 'ubuntu-24'
        ($windows, $debian | Get-Image).Name | Should -Be @('win 2022 [core]', 'Debian-12')
    }

    It 'takes names (strings) and ids (GUIDs) by value from the pipeline' {
        ('ubuntu-24', 'debian*' | Get-Image).Name | Should -Be @('ubuntu-24', 'Debian-12')
        ($windows.Id | Get-Image).Name | Should -Be 'win 2022 [core]'
    }

    It 'reports an unknown id with ImageNotFound and the id as target' {
        $id = [guid]::NewGuid()
        $result = Get-Image -Id $debian.Id, $id -ErrorVariable failures -ErrorAction SilentlyContinue

        $result.Name | Should -Be 'Debian-12'
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Be 'ImageNotFound,ImagePs.Commands.GetImageCommand'
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].TargetObject | Should -Be $id
        $failures[0].Exception.Message | Should -Match $id
    }

    It 'reports a literal name that matches nothing, but not an empty wildcard' {
        Get-Image -Name nothing-like-this -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ImageNotFound,*'

        Get-Image -Name 'nothing*' -ErrorVariable quiet -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $quiet | Should -BeNullOrEmpty
    }

    It 'refuses a bad disk format filter as a bad argument' {
        { Get-Image -DiskFormat qcow3 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidDiskFormat,*'
    }

    It 'refuses an unclosed bracket in a name pattern' {
        { Get-Image -Name 'img[0-9' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidWildcardPattern,*'
    }

    It 'reads the repository named by IMAGEPS_HOME at every call' {
        $first = $env:IMAGEPS_HOME
        Use-TestRepository | Out-Null
        Get-Image | Should -BeNullOrEmpty
        $env:IMAGEPS_HOME = $first
        (Get-Image).Count | Should -Be 4
    }
}
