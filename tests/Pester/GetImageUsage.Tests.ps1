BeforeDiscovery {
    . $PSScriptRoot/TestBackends.ps1
}

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
}

AfterAll {
    Reset-Caller
}

Describe 'Get-ImageUsage (<TestBackend>)' -ForEach (Get-TestBackend) {
    BeforeEach {
        Reset-Caller
        $files = Join-Path $TestDrive ([guid]::NewGuid())
        New-Item -ItemType Directory -Path $files | Out-Null
    }

    It 'counts a project''s images and stored bytes, with the quota limits' {
        Use-TestRepository -Settings '{ "ImageCountQuota": 5, "UserStorageQuota": 1000000 }' | Out-Null
        Use-Caller alice -Project web -Roles member, reader
        $a = New-RandomFile -Path (Join-Path $files 'a.raw') -Length 3000 | New-Image | Send-ImageData
        $b = New-RandomFile -Path (Join-Path $files 'b.raw') -Length 5000 | New-Image | Send-ImageData
        $b | Disable-Image | Out-Null
        New-Image -Name queued | Out-Null

        $usage = Get-ImageUsage

        $usage.Owner | Should -Be 'web'
        $usage.ImageCount | Should -Be 3
        $usage.UploadingCount | Should -Be 0
        $usage.StorageUsed | Should -Be ($a.Size + $b.Size)
        $usage.StorageUsed | Should -Be 8000
        $usage.ImageCountLimit | Should -Be 5
        $usage.StorageLimit | Should -Be 1000000
        $usage.PSTypeNames | Should -Contain 'ImagePs.ImageUsage'
    }

    It 'shows a caller only its own project, with zeros when it owns nothing' {
        Use-TestRepository | Out-Null
        Use-Caller alice -Project web -Roles member, reader
        New-Image -Name mine | Out-Null
        Use-Caller bob -Project db -Roles member, reader

        $usage = @(Get-ImageUsage)
        $usage.Count | Should -Be 1
        $usage[0].Owner | Should -Be 'db'
        $usage[0].ImageCount | Should -Be 0
        $usage[0].StorageUsed | Should -Be 0
        $usage[0].ImageCountLimit | Should -BeNullOrEmpty
        $usage[0].StorageLimit | Should -BeNullOrEmpty
        Get-ImageUsage -Owner web | Should -BeNullOrEmpty
    }

    It 'shows an administrator every owner, and any owner by name' {
        Use-TestRepository | Out-Null
        Use-Caller alice -Project web -Roles member, reader
        New-Image -Name one | Out-Null
        New-Image -Name two | Out-Null
        Use-Caller bob -Project db -Roles member, reader
        New-Image -Name three | Out-Null
        Use-Caller root -Project ops -Roles admin

        $usage = Get-ImageUsage

        $usage.Owner | Should -Be @('db', 'ops', 'web')
        ($usage | Where-Object Owner -EQ 'web').ImageCount | Should -Be 2
        ($usage | Where-Object Owner -EQ 'db').ImageCount | Should -Be 1
        ($usage | Where-Object Owner -EQ 'ops').ImageCount | Should -Be 0
        (Get-ImageUsage -Owner web, nobody).Owner | Should -Be @('nobody', 'web')
        (Get-ImageUsage -Project nobody).ImageCount | Should -Be 0
    }

    It 'counts uploads running in two other processes, and their bytes once they are stored' -Skip:(-not $IsLinux) {
        Use-TestRepository | Out-Null
        $stored = New-RandomFile -Path (Join-Path $files 'stored.raw') -Length 4096 | New-Image | Send-ImageData
        $first = New-Image -Name first -DiskFormat raw
        $second = New-Image -Name second -DiskFormat raw
        $writers = @(
            Start-FifoWriter -Path (Join-Path $files 'feed1') -Bytes 1MB
            Start-FifoWriter -Path (Join-Path $files 'feed2') -Bytes 2MB
        )
        $children = @(
            Start-ChildUpload -Id $first.Id -Path (Join-Path $files 'feed1')
            Start-ChildUpload -Id $second.Id -Path (Join-Path $files 'feed2')
        )
        try {
            Wait-Until { (Get-CatalogStatus -Id $first.Id) -eq 'saving' -and (Get-CatalogStatus -Id $second.Id) -eq 'saving' } | Should -BeTrue

            $during = Get-ImageUsage

            $during.ImageCount | Should -Be 3
            $during.UploadingCount | Should -Be 2
            $during.StorageUsed | Should -Be $stored.Size
        }
        finally {
            # End of data: both uploads complete with what they were fed.
            foreach ($writer in $writers) { Stop-Process -Id $writer.Id -Force -ErrorAction Ignore }
        }
        foreach ($child in $children) {
            $finished = $child.WaitForExit(60000)
            if (-not $finished) { Stop-Process -Id $child.Id -Force }
            $finished | Should -BeTrue
            $child.ExitCode | Should -Be 0
        }

        $after = Get-ImageUsage

        $after.ImageCount | Should -Be 3
        $after.UploadingCount | Should -Be 0
        $after.StorageUsed | Should -Be (4096 + 1MB + 2MB)
        (Get-Image -Id $first.Id).Size | Should -Be 1MB
    }
}
