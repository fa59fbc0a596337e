BeforeDiscovery {
    . $PSScriptRoot/TestBackends.ps1
}

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
}

AfterAll {
    Reset-Caller
}

Describe 'Policy rules (<TestBackend>)' -ForEach (Get-TestBackend) {
    BeforeEach {
        Use-TestRepository | Out-Null
    }

    It 'applies Glance''s defaults: a reader of the project lists but does not create' {
        Use-Caller rob -Project web -Roles reader
        New-Image -Name nope -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'PolicyDenied,*'
        $failures[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $failures[0].Exception.Message | Should -Match "'add_image'"
        Get-Image | Should -BeNullOrEmpty
        Reset-Caller
        Get-Image | Should -BeNullOrEmpty
        Get-ImageEvent | Should -BeNullOrEmpty
    }

    It 'applies Glance''s defaults: only an admin makes an image public' {
        Use-Caller alice -Project web -Roles member, reader
        { New-Image -Name pub -Visibility Public -ErrorAction Stop } | Should -Throw -ErrorId 'PolicyDenied,*'
        (New-Image -Name comm -Visibility Community).Visibility | Should -Be 'Community'
        Reset-Caller
        (New-Image -Name pub -Visibility Public).Visibility | Should -Be 'Public'
    }

    It 'refuses the listing to a caller without a reader role' {
        Use-Caller guest -Project web -Roles guest
        { Get-Image -ErrorAction Stop } | Should -Throw -ErrorId 'PolicyDenied,*'
    }

    It 'refuses an upload by the owner''s reader with PolicyDenied and changes nothing' {
        Use-Caller alice -Project web -Roles member, reader
        $image = New-Image -Name data -DiskFormat raw
        $file = New-RandomFile -Path (Join-Path $TestDrive 'data.raw') -Length 2048
        Use-Caller rob -Project web -Roles reader
        Send-ImageData -Id $image.Id -Path $file -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'PolicyDenied,*'
        $failures[0].Exception.Message | Should -Match "'upload_image'"
        (Get-Image -Id $image.Id).Status | Should -Be 'Queued'
        Get-StoreFile | Should -BeNullOrEmpty
        (Get-ImageEvent -ImageId $image.Id).EventType | Should -Be @('image.create')
    }

    It 'reads <File> from the repository folder' -ForEach @(
        @{ File = 'policy.yaml'; Content = "# only admins delete`ndelete_image: `"rule:context_is_admin`"`n" }
        @{ File = 'policy.json'; Content = '{ "delete_image": "rule:context_is_admin" }' }
    ) {
        Set-RepositoryFile -Name $File -Content $Content
        Use-Caller alice -Project web -Roles member, reader
        $image = New-Image -Name keep
        $image | Remove-Image -Force -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'PolicyDenied,*'
        $failures[0].Exception.Message | Should -Match "'delete_image'"
        (Get-Image -Id $image.Id).Status | Should -Be 'Queued'
        (Get-ImageEvent -ImageId $image.Id).EventType | Should -Be @('image.create')

        Reset-Caller
        $image | Remove-Image -Force
        Get-Image | Should -BeNullOrEmpty
    }

    It 'reads the policy file named by PolicyFile in imageps.json' {
        Use-TestRepository -Settings '{ "PolicyFile": "rules/team.yaml" }' | Out-Null
        New-Item -ItemType Directory -Path (Join-Path $env:IMAGEPS_HOME rules) | Out-Null
        Set-RepositoryFile -Name rules/team.yaml -Content "add_image: 'role:creator'`n"
        Use-Caller alice -Project web -Roles member, reader
        { New-Image -Name x -ErrorAction Stop } | Should -Throw -ErrorId 'PolicyDenied,*'
        Use-Caller carl -Project web -Roles creator
        (New-Image -Name x).Owner | Should -Be 'web'
    }

    It 'stops every cmdlet on a malformed policy file, naming the line and the rule' {
        Set-RepositoryFile -Name policy.yaml -Content "# team rules`nadd_image: role:member and (role:reader`n"
        $thrown = { Get-Image -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidPolicy,*' -PassThru
        $thrown.Exception.Message | Should -Match "line 2, rule 'add_image': this '\(' is never closed"
        $thrown.CategoryInfo.Category | Should -Be 'InvalidData'
        { New-Image -Name x -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidPolicy,*'
    }

    It 'refuses a rule that refers to a rule that does not exist' {
        Set-RepositoryFile -Name policy.json -Content "{`n  `"get_images`": `"rule:readers`"`n}"
        $thrown = { Get-Image -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidPolicy,*' -PassThru
        $thrown.Exception.Message | Should -Match "line 2, rule 'get_images': it refers to rule:readers, which is not defined"
    }
}
