BeforeDiscovery {
    . $PSScriptRoot/TestBackends.ps1
}

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
}

Describe 'The catalog under pressure (<TestBackend>)' -ForEach (Get-TestBackend) {
    BeforeEach {
        Use-TestRepository | Out-Null
    }

    AfterEach {
        Reset-Caller
    }

    It 'lands every tag when two processes keep adding tags to one image at once' {
        $image = New-Image -Name raced -DiskFormat raw
        $children = foreach ($side in 'a', 'b') {
            $log = Join-Path $TestDrive "$side.log"
            $script = "Import-Module '$ManifestPath'; foreach (`$i in 1..15) { Set-Image -Id '$($image.Id)' -AddTag ('$side' + `$i) -ErrorAction Stop }"
            @{ Process = Start-Pwsh -Command $script -Log $log; Log = $log }
        }
        foreach ($child in $children) {
            $child.Process | Wait-Process -Timeout 300
            $child.Process.ExitCode | Should -Be 0 -Because (Get-Content -Raw "$($child.Log).err")
        }

        $tags = (Get-Image -Id $image.Id).Tags
        $tags.Count | Should -Be 30
        foreach ($side in 'a', 'b') { foreach ($i in 1..15) { $tags | Should -Contain "$side$i" } }
    }

    It '-WhatIf of a change the caller may not make gives the refusal, not the change' {
        Use-Caller alice -Project web -Roles member, reader
        $image = New-Image -Name shared-by-web -DiskFormat raw
        $image | Add-ImageMember -MemberId db | Out-Null
        Use-Caller bob -Project db -Roles member, reader
        Set-ImageMember -ImageId $image.Id -Status Accepted

        $shown = Set-Image -Id $image.Id -AddTag mine -WhatIf -ErrorVariable failures -ErrorAction SilentlyContinue 6>&1 |
            ForEach-Object { "$_" }

        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ImageNotOwned,*'
        $shown | Should -BeNullOrEmpty
        (Get-Image -Id $image.Id).Tags | Should -BeNullOrEmpty
    }

    It '-WhatIf of Disable-Image refused by policy gives PolicyDenied' {
        $file = New-RandomFile -Path (Join-Path $TestDrive 'data.raw') -Length 4096
        Use-Caller carol -Project web -Roles member, reader
        $active = $file | New-Image -Name active | Send-ImageData
        Set-RepositoryFile -Name policy.yaml -Content "deactivate: 'role:admin'`n"

        Disable-Image -Id $active.Id -WhatIf -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'PolicyDenied,*'
        (Get-Image -Id $active.Id).Status | Should -Be 'Active'
    }
}

Describe 'A read-only embedded catalog' {
    BeforeEach {
        Use-TestRepository | Out-Null
    }

    It 'is read by Get-Image and refuses New-Image with CatalogUnavailable, when catalog.db is immutable' {
        $image = New-Image -Name kept -DiskFormat raw
        $catalog = Join-Path $env:IMAGEPS_HOME 'catalog.db'
        & chattr +i $catalog
        $LASTEXITCODE | Should -Be 0
        try {
            $result = Invoke-FreshPwsh -Command "Import-Module '$ManifestPath'; (Get-Image -Id '$($image.Id)').Name; try { New-Image -Name new -ErrorAction Stop } catch { `$_.FullyQualifiedErrorId }"
            $result.Output | Should -Contain 'kept'
            ($result.Output | Where-Object { $_ -like 'CatalogUnavailable,*' }).Count | Should -Be 1
        }
        finally {
            & chattr -i $catalog
        }
        (Get-Image).Name | Should -Be @('kept')
    }
}
