BeforeDiscovery {
    . $PSScriptRoot/TestBackends.ps1
}

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
}

AfterAll {
    Reset-Caller
}

Describe 'Visibility between projects (<TestBackend>)' -ForEach (Get-TestBackend) {
    BeforeAll {
        Use-TestRepository | Out-Null
        Use-Caller alice -Project web -Roles member, reader
        $private = New-Image -Name private -Visibility Private
        $community = New-Image -Name community -Visibility Community
        $shared = New-Image -Name shared
        Reset-Caller
        $public = New-Image -Name public -Visibility Public
    }

    It 'shows another project public images, community ones only when asked, nothing private or unshared' {
        Use-Caller bob -Project db -Roles member, reader
        (Get-Image).Name | Should -Be @('public')
        (Get-Image -Visibility Community).Name | Should -Be @('community')
        (Get-Image -Id $community.Id).Name | Should -Be 'community'
        foreach ($hidden in $private, $shared) {
            Get-Image -Id $hidden.Id -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'ImageNotFound,*'
        }
    }

    It 'shows the owner every image of its own, and an admin every image but others'' community ones' {
        Use-Caller alice -Project web -Roles member, reader
        (Get-Image).Name | Should -Be @('private', 'community', 'shared', 'public')
        Reset-Caller
        (Get-Image).Name | Should -Be @('private', 'shared', 'public')
        (Get-Image -Visibility Community).Name | Should -Be @('community')
    }
}

Describe 'Image members (<TestBackend>)' -ForEach (Get-TestBackend) {
    BeforeEach {
        Use-TestRepository | Out-Null
        Use-Caller alice -Project web -Roles member, reader
        $image = New-Image -Name shared-image
    }

    It 'shares an image: pending until the member accepts it, then listed, until removed' {
        $members = $image | Add-ImageMember -MemberId db, ops
        $members.MemberId | Should -Be @('db', 'ops')
        $members.Status | Should -Be @('Pending', 'Pending')
        $members[0].ImageId | Should -Be $image.Id

        Use-Caller bob -Project db -Roles member, reader
        (Get-Image).Name | Should -Not -Contain 'shared-image'
        (Get-Image -MemberStatus Pending).Name | Should -Be @('shared-image')
        (Get-ImageMember -ImageId $image.Id).MemberId | Should -Be @('db') # a member sees only its own membership

        Set-ImageMember -ImageId $image.Id -Status Accepted | Should -BeNullOrEmpty
        (Get-Image).Name | Should -Be @('shared-image')
        $rejected = Get-ImageMember -ImageId $image.Id | Set-ImageMember -Status Rejected -PassThru
        $rejected.Status | Should -Be 'Rejected'
        (Get-Image).Name | Should -BeNullOrEmpty

        { Remove-ImageMember -ImageId $image.Id -MemberId db -ErrorAction Stop } | Should -Throw -ErrorId 'ImageNotOwned,*'
        { Add-ImageMember -ImageId $image.Id -MemberId qa -ErrorAction Stop } | Should -Throw -ErrorId 'ImageNotOwned,*'

        Use-Caller alice -Project web -Roles member, reader
        (Get-ImageMember -ImageId $image.Id | Sort-Object MemberId).Status | Should -Be @('Rejected', 'Pending')
        { Set-ImageMember -ImageId $image.Id -MemberId db -Status Accepted -ErrorAction Stop } | Should -Throw -ErrorId 'ImageMemberNotOwned,*'
        Get-ImageMember -ImageId $image.Id -MemberId db | Remove-ImageMember
        Get-ImageMember -ImageId $image.Id -MemberId db -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ImageMemberNotFound,*'
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'

        Use-Caller bob -Project db -Roles member, reader
        Get-Image -Id $image.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'refuses <Case>' -ForEach @(
        @{ Case = 'members of an image that is not shared'; Id = 'ImageNotShared,*'; Category = 'InvalidOperation' }
        @{ Case = 'the same member twice'; Id = 'ImageMemberExists,*'; Category = 'ResourceExists' }
        @{ Case = 'a member that is not a project name'; Id = 'InvalidMemberId,*'; Category = 'InvalidArgument' }
    ) {
        $target = $image
        $member = 'db'
        switch ($Case) {
            'members of an image that is not shared' { $target = New-Image -Name private -Visibility Private }
            'the same member twice' { $image | Add-ImageMember -MemberId db | Out-Null }
            'a member that is not a project name' { $member = "d`tb" }
        }
        Add-ImageMember -ImageId $target.Id -MemberId $member -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike $Id
        $failures[0].CategoryInfo.Category | Should -Be $Category
    }

    It 'changes nothing with -WhatIf' {
        $image | Add-ImageMember -MemberId db -WhatIf
        Get-ImageMember -ImageId $image.Id | Should -BeNullOrEmpty
    }
}
