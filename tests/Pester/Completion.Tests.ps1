BeforeAll {
    . $PSScriptRoot/TestSupport.ps1

    function Get-Completion {
        # What Tab offers at the end of $Line, through PowerShell's own completion engine.
        param([Parameter(Mandatory)] [string] $Line)
        @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches)
    }
}

Describe 'Tab completion' {
    BeforeAll {
        Use-TestRepository | Out-Null
        $file = New-RandomFile -Path (Join-Path $TestDrive 'debian.raw') -Length 3000
        $debian = $file | New-Image -Name debian-12 -Tag nightly, linux | Send-ImageData
        $ubuntu = New-Image -Name ubuntu-24 -DiskFormat qcow2 -Tag linux
        $windows = New-Image -Name 'win 2022 [core]' -DiskFormat vhdx -Tag Windows
    }

    It 'completes every image id for -Id of <Command>, listing name and status' -ForEach @(
        @{ Command = 'Get-Image' }, @{ Command = 'Set-Image' }, @{ Command = 'Remove-Image' },
        @{ Command = 'Send-ImageData' }, @{ Command = 'Save-ImageData' }, @{ Command = 'Disable-Image' }, @{ Command = 'Enable-Image' },
        @{ Command = 'Test-Image' }
    ) {
        $completions = Get-Completion "$Command -Id "

        $completions.CompletionText | Should -Be @("$($debian.Id)", "$($ubuntu.Id)", "$($windows.Id)")
        $first = $completions[0]
        $first.ResultType | Should -Be 'ParameterValue'
        $first.ListItemText | Should -Match 'debian-12'
        $first.ListItemText | Should -Match 'Active'
        $first.ToolTip | Should -Match 'debian-12'
        $first.ToolTip | Should -Match 'Active'
        $completions[1].ToolTip | Should -Match 'Queued'
    }

    It 'completes -Id of Save-ImageData from the start of a name, as Send-ImageData does' {
        (Get-Completion 'Save-ImageData -Id deb').CompletionText | Should -Be "$($debian.Id)"
        (Get-Completion 'Save-ImageData -Path out.raw -Id deb').CompletionText | Should -Be "$($debian.Id)"
    }

    It 'completes an id from the start of the id' {
        $prefix = "$($ubuntu.Id)".Substring(0, 8)
        (Get-Completion "Set-Image -Id $prefix").CompletionText | Should -Be "$($ubuntu.Id)"
    }

    It 'completes an id from the start of the image''s name' {
        (Get-Completion 'Remove-Image -Id UBU').CompletionText | Should -Be "$($ubuntu.Id)"
    }

    It 'completes names for Get-Image -Name, escaped so they match literally' {
        (Get-Completion 'Get-Image -Name ').CompletionText | Should -Be @('debian-12', 'ubuntu-24', "'win 2022 ``[core``]'")
        $win = Get-Completion 'Get-Image -Name wi'
        $win.CompletionText | Should -Be "'win 2022 ``[core``]'"
        $win.ToolTip | Should -Match 'Queued'

        # The completed text finds exactly that image.
        (Get-Image -Name 'win 2022 `[core`]').Id | Should -Be $windows.Id
    }

    It 'completes the tags images carry, each once' {
        (Get-Completion 'Get-Image -Tag ').CompletionText | Should -Be @('linux', 'nightly', 'Windows')
        (Get-Completion 'Get-Image -Tag ni').CompletionText | Should -Be 'nightly'
        (Get-Completion 'Get-Image -Tag li')[0].ToolTip | Should -Match '2'
        (Get-Completion 'Set-Image -RemoveTag w').CompletionText | Should -Be 'Windows'
        (Get-Completion 'Import-Image -Tag ni').CompletionText | Should -Be 'nightly'
    }

    It 'completes disk formats for <Line>' -ForEach @(
        @{ Line = 'New-Image -DiskFormat '; Expected = 'ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi', 'iso', 'ploop' }
        @{ Line = 'New-Image -DiskFormat vh'; Expected = 'vhd', 'vhdx' }
        @{ Line = 'Get-Image -DiskFormat Q'; Expected = 'qcow2' }
        @{ Line = 'Set-Image -DiskFormat r'; Expected = 'raw' }
        @{ Line = 'Import-Image -DiskFormat vh'; Expected = 'vhd', 'vhdx' }
        @{ Line = 'Import-Image -ConvertTo '; Expected = 'qcow2', 'raw', 'vdi', 'vhd', 'vhdx', 'vmdk' }
        @{ Line = 'Import-Image -ConvertTo vh'; Expected = 'vhd', 'vhdx' }
    ) {
        (Get-Completion $Line).CompletionText | Should -Be $Expected
    }

    It 'completes container formats for <Line>' -ForEach @(
        @{ Line = 'New-Image -ContainerFormat '; Expected = 'ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed' }
        @{ Line = 'Set-Image -ContainerFormat o'; Expected = 'ovf', 'ova' }
    ) {
        (Get-Completion $Line).CompletionText | Should -Be $Expected
    }

    It 'completes visibility and status values (enums)' {
        (Get-Completion 'Get-Image -Visibility ').CompletionText | Should -Be @('Community', 'Private', 'Public', 'Shared')
        (Get-Completion 'Set-Image -Visibility p').CompletionText | Should -Be @('Private', 'Public')
        (Get-Completion 'Get-Image -Status De').CompletionText | Should -Be @('Deactivated', 'Deleted')
    }

    It 'leaves hidden images out of completion unless the command has -IncludeHidden' {
        $hidden = New-Image -Name debian-11-retired -DiskFormat raw -Tag retired -Hidden
        try {
            (Get-Completion 'Get-Image -Name deb').CompletionText | Should -Be 'debian-12'
            (Get-Completion 'Get-Image deb').CompletionText | Should -Be 'debian-12'
            (Get-Completion 'Set-Image -Id deb').CompletionText | Should -Be "$($debian.Id)"
            (Get-Completion 'Get-Image -Tag re').CompletionText | Should -BeNullOrEmpty
            (Get-Completion 'Get-Image -Id ').CompletionText | Should -Be @("$($debian.Id)", "$($ubuntu.Id)", "$($windows.Id)")

            (Get-Completion 'Get-Image -IncludeHidden -Name deb').CompletionText | Should -Be @('debian-11-retired', 'debian-12')
            (Get-Completion 'Get-Image -IncludeHidden deb').CompletionText | Should -Be @('debian-11-retired', 'debian-12')
            (Get-Completion 'Get-Image -IncludeHidden -Tag re').CompletionText | Should -Be 'retired'
        }
        finally {
            Remove-Image -Id $hidden.Id -Force
        }
    }

    It 'offers nothing, and creates no repository, where there is none' {
        $nowhere = Join-Path $TestDrive ('none-' + [guid]::NewGuid().ToString('N'))
        $before = $env:IMAGEPS_HOME
        $env:IMAGEPS_HOME = $nowhere
        try {
            Get-Completion 'Get-Image -Id ' | Should -BeNullOrEmpty
            Get-Completion 'Get-Image -Name ' | Should -BeNullOrEmpty
            $nowhere | Should -Not -Exist
        }
        finally {
            $env:IMAGEPS_HOME = $before
        }
    }
}

Describe 'Tab completion in a large catalog' {
    It 'finds names through the name index, not only among the first images' {
        Use-TestRepository | Out-Null
        1..5100 | ForEach-Object { [pscustomobject]@{ Name = "bulk-$_" } } | New-Image | Out-Null
        $last = New-Image -Name 'zz-made-last'

        (Get-Completion 'Get-Image -Name zz-').CompletionText | Should -Be 'zz-made-last'
        (Get-Completion 'Remove-Image -Id zz-').CompletionText | Should -Be "$($last.Id)"
    }
}

Describe 'Tab completion only reads the repository' {
    It 'leaves an upload abandoned by a dead process Saving; the next command recovers it' {
        Use-TestRepository | Out-Null
        $image = New-Image -Name abandoned -DiskFormat raw
        # As a killed uploader leaves it: Saving in the catalog, and no process holds its lease.
        Invoke-CatalogQuery -Sql "UPDATE images SET status = 'saving' WHERE id = '$($image.Id)'" | Out-Null

        $completions = Get-Completion 'Get-Image -Id '
        (Get-Completion 'Get-Image -Name ab').CompletionText | Should -Be 'abandoned'

        $completions.CompletionText | Should -Be "$($image.Id)"
        $completions[0].ListItemText | Should -Match 'Saving'
        Get-CatalogStatus -Id $image.Id | Should -Be 'saving'

        $recovered = Get-Image -Id $image.Id -WarningVariable warnings -WarningAction SilentlyContinue
        $recovered.Status | Should -Be 'Queued'
        $warnings | Should -Match 'left Saving'
        Get-CatalogStatus -Id $image.Id | Should -Be 'queued'
    }

    It 'does not migrate a catalog an older ImagePs wrote: it offers nothing from it' {
        Use-TestRepository | Out-Null
        # Made in another process: a connection pooled here would keep the schema it read.
        (Invoke-FreshPwsh -Command "Import-Module '$ManifestPath'; (New-Image -Name old).Name").Output | Should -Contain 'old'
        $current = [long](Invoke-CatalogQuery -Sql 'PRAGMA user_version')
        # A catalog whose version says it needs a migration (only the version is set back).
        Invoke-CatalogQuery -Sql "PRAGMA user_version = $($current - 1)" | Out-Null

        Get-Completion 'Get-Image -Id ' | Should -BeNullOrEmpty
        Get-Completion 'Get-Image -Name o' | Should -BeNullOrEmpty

        Invoke-CatalogQuery -Sql 'PRAGMA user_version' | Should -Be ($current - 1)
        Invoke-CatalogQuery -Sql "PRAGMA user_version = $current" | Out-Null
        (Get-Completion 'Get-Image -Name o').CompletionText | Should -Be 'old'
    }

    It 'notices a changed repository home, policy file and settings file' {
        $first = Use-TestRepository
        New-Image -Name in-first | Out-Null
        (Get-Completion 'Get-Image -Name in-').CompletionText | Should -Be 'in-first'

        Use-TestRepository | Out-Null
        New-Image -Name in-second | Out-Null
        (Get-Completion 'Get-Image -Name in-').CompletionText | Should -Be 'in-second'

        $env:IMAGEPS_HOME = $first
        (Get-Completion 'Get-Image -Name in-').CompletionText | Should -Be 'in-first'
        # A policy that lets no one list images, then none again: completion follows each.
        Set-RepositoryFile -Name policy.yaml -Content "context_is_admin: '!'`nget_images: '!'`n"
        Get-Completion 'Get-Image -Name in-' | Should -BeNullOrEmpty
        Remove-Item -LiteralPath (Join-Path $first 'policy.yaml')
        (Get-Completion 'Get-Image -Name in-').CompletionText | Should -Be 'in-first'
        # Settings that leave the caller no role that may list images: completion follows at once.
        Set-Content -LiteralPath (Join-Path $first 'imageps.json') -Value '{ "DefaultRoles": ["guest"] }'
        Get-Completion 'Get-Image -Name in-' | Should -BeNullOrEmpty
    }
}
