BeforeDiscovery {
    . $PSScriptRoot/TestBackends.ps1
}

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    $script:Protections = @'
# only admins touch secret_*; everyone may do everything else
[^secret_]
create = admin
read = admin
update = admin
delete = admin

[.*]
create = @
read = @
update = @
delete = @
'@
}

AfterAll {
    Reset-Caller
}

Describe 'Property protections (<TestBackend>)' -ForEach (Get-TestBackend) {
    BeforeEach {
        Use-TestRepository -Settings '{ "PropertyProtectionFile": "protections.conf" }' | Out-Null
        Set-RepositoryFile -Name protections.conf -Content $Protections
    }

    It 'hides properties a caller may not read and refuses creating them' {
        $image = New-Image -Name protected -Visibility Public -Property @{ secret_key = 's3cr3t'; os_distro = 'debian' }
        ($image.Properties.Keys | Sort-Object) | Should -Be @('os_distro', 'secret_key')

        Use-Caller bob -Project db -Roles member, reader
        $seen = Get-Image -Id $image.Id
        @($seen.Properties.Keys) | Should -Be @('os_distro')
        @((Get-Image).Properties.Keys) | Should -Be @('os_distro')

        New-Image -Name mine -Property @{ secret_x = '1' } -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'PropertyProtected,*'
        $failures[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $failures[0].Exception.Message | Should -Match "'secret_x'.*may not create it"
        (New-Image -Name mine -Property @{ os_version = '12' }).Properties['os_version'] | Should -Be '12'

        Reset-Caller
        (Get-Image -Id $image.Id).Properties['secret_key'] | Should -Be 's3cr3t'
    }

    It 'stops every cmdlet on an invalid protections file, naming the line' {
        Set-RepositoryFile -Name protections.conf -Content "[.*]`ncreate = @`nread = @`n"
        $thrown = { Get-Image -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidPropertyProtections,*' -PassThru
        $thrown.Exception.Message | Should -Match "line 1: section \[\.\*\] has no 'update'"
    }
}
