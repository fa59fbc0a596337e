BeforeDiscovery {
    . $PSScriptRoot/TestBackends.ps1
}

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
}

AfterAll {
    Reset-Caller
}

Describe 'The repository folder' {
    It 'is created readable only by its owner' -Skip:$IsWindows {
        Use-TestRepository | Out-Null
        New-Image -Name first | Out-Null
        (Get-Item -LiteralPath $env:IMAGEPS_HOME).UnixFileMode | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
    }
}

Describe 'Callers and ownership (<TestBackend>)' -ForEach (Get-TestBackend) {
    BeforeEach {
        Use-TestRepository | Out-Null
    }

    It 'makes the operating-system user the owner and administrator of a personal repository' {
        $image = New-Image -Name mine -Visibility Public
        $image.Owner | Should -Be ([Environment]::UserName)
    }

    It 'takes project and roles from the Users map of imageps.json' {
        Use-TestRepository -Settings '{ "Users": { "alice": { "Project": "web", "Roles": ["member", "reader"] }, "bob": { "Project": "db" } } }' | Out-Null
        Use-Caller alice
        $image = New-Image -Name from-alice -Visibility Private
        $image.Owner | Should -Be 'web'
        { New-Image -Name published -Visibility Public -ErrorAction Stop } | Should -Throw -ErrorId 'PolicyDenied,*'

        Use-Caller bob # a member of project db by default
        Get-Image -Id $image.Id -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ImageNotFound,*'
        (New-Image -Name from-bob).Owner | Should -Be 'db'
    }

    It 'gives another project read-only images: <Command> is ImageNotOwned and changes nothing' -ForEach @(
        @{ Command = 'Send-ImageData' }, @{ Command = 'Remove-Image' }
    ) {
        Use-Caller alice -Project web -Roles member, reader
        $image = New-Image -Name shared-by-web -DiskFormat raw
        $image | Add-ImageMember -MemberId db | Out-Null
        $file = New-RandomFile -Path (Join-Path $TestDrive 'data.raw') -Length 4096

        Use-Caller bob -Project db -Roles member, reader
        Set-ImageMember -ImageId $image.Id -Status Accepted
        if ($Command -eq 'Send-ImageData') {
            Send-ImageData -Id $image.Id -Path $file -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }
        else {
            Remove-Image -Id $image.Id -Force -ErrorVariable failures -ErrorAction SilentlyContinue
        }

        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ImageNotOwned,*'
        $failures[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $failures[0].Exception.Message | Should -Match "belongs to project 'web'"
        (Get-Image -Id $image.Id).Status | Should -Be 'Queued'
        Get-StoreFile | Should -BeNullOrEmpty
    }

    It 'lets an admin change another project''s image' {
        Use-Caller alice -Project web -Roles member, reader
        $image = New-Image -Name private-to-web -Visibility Private
        Reset-Caller
        (Get-Image -Id $image.Id).Owner | Should -Be 'web'
        Remove-Image -Id $image.Id -Force
        Get-Image | Should -BeNullOrEmpty
    }
}
