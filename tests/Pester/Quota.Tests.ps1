BeforeDiscovery {
    . $PSScriptRoot/TestBackends.ps1
}

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1

    function Assert-Quota {
        param($Failures, [string] $Setting)
        $Failures.Count | Should -BeGreaterThan 0
        $Failures[0].FullyQualifiedErrorId | Should -BeLike 'QuotaExceeded,*'
        $Failures[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
        $Failures[0].Exception.Message | Should -Match $Setting
    }
}

AfterAll {
    Reset-Caller
}

Describe 'Quotas (<TestBackend>)' -ForEach (Get-TestBackend) {
    It 'limits tags and properties per image' {
        Use-TestRepository -Settings '{ "ImageTagQuota": 2, "ImagePropertyQuota": 1 }' | Out-Null
        New-Image -Name tags -Tag a, b, c -ErrorVariable tags -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Assert-Quota $tags 'ImageTagQuota'
        New-Image -Name props -Property @{ a = '1'; b = '2' } -ErrorVariable props -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Assert-Quota $props 'ImagePropertyQuota'
        Get-Image | Should -BeNullOrEmpty
        (New-Image -Name fits -Tag a, b -Property @{ a = '1' }).Name | Should -Be 'fits'
    }

    It 'limits the images a project owns' {
        Use-TestRepository -Settings '{ "ImageCountQuota": 2 }' | Out-Null
        Use-Caller alice -Project web -Roles member, reader
        $first = New-Image -Name one
        New-Image -Name two | Out-Null
        New-Image -Name three -ErrorVariable count -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Assert-Quota $count 'ImageCountQuota'
        $count[0].Exception.Message | Should -Match "Project 'web' would own 3 images"

        Use-Caller bob -Project db -Roles member, reader
        (New-Image -Name other-project).Owner | Should -Be 'db'

        Use-Caller alice -Project web -Roles member, reader
        $first | Remove-Image -Force
        (New-Image -Name three).Name | Should -Be 'three'
    }

    It 'does not start an upload that would exceed ImageLocationQuota' {
        Use-TestRepository -Settings '{ "ImageLocationQuota": 0 }' | Out-Null
        $file = New-RandomFile -Path (Join-Path $TestDrive 'q.raw') -Length 1000
        $image = $file | New-Image
        $image | Send-ImageData -ErrorVariable locations -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Assert-Quota $locations 'ImageLocationQuota'
        (Get-Image -Id $image.Id).Status | Should -Be 'Queued'
        Get-StoreFile | Should -BeNullOrEmpty
    }

    It 'limits the members of an image' {
        Use-TestRepository -Settings '{ "ImageMemberQuota": 1 }' | Out-Null
        $image = New-Image -Name shared
        $added = $image | Add-ImageMember -MemberId db, ops -ErrorVariable members -ErrorAction SilentlyContinue
        $added.MemberId | Should -Be 'db'
        Assert-Quota $members 'ImageMemberQuota'
        (Get-ImageMember -ImageId $image.Id).MemberId | Should -Be 'db'
    }
}
