BeforeDiscovery {
    # Every exported cmdlet that can change something (it supports -WhatIf), also ones added later.
    Import-Module (Join-Path $PSScriptRoot '../../ImagePs.psd1') -Force
    $changing = Get-Command -Module ImagePs -CommandType Cmdlet | Where-Object { $_.Parameters.ContainsKey('WhatIf') } |
        ForEach-Object { @{ Name = $_.Name } }
}

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1

    function New-Fixture {
        # A repository with an image in each status the cmdlets act on, a shared image with a
        # member, a file to upload and an empty folder to download into; with -DelayedDelete also an
        # image removed to PendingDelete (DelayedDeleteSeconds set), for Restore-Image and Clear-DeletedImage.
        param([switch] $DelayedDelete)
        Use-TestRepository -Settings $(if ($DelayedDelete) { '{ "DelayedDeleteSeconds": 3600 }' }) | Out-Null
        $script:file = New-RandomFile -Path (Join-Path $TestDrive ('data-' + [guid]::NewGuid().ToString('N') + '.raw')) -Length 4096
        $script:queued = New-Image -Name queued -DiskFormat raw
        $script:active = $file | New-Image -Name active | Send-ImageData
        $script:deactivated = $file | New-Image -Name deactivated | Send-ImageData | Disable-Image -PassThru
        $script:shared = New-Image -Name shared -DiskFormat raw -Visibility Shared
        $script:member = $shared | Add-ImageMember -MemberId web
        if ($DelayedDelete) {
            $script:removed = $file | New-Image -Name removed | Send-ImageData
            Remove-Image -Id $removed.Id -Force # PendingDelete: its data kept, restorable
        }
        $script:downloads = New-Item -ItemType Directory -Path (Join-Path $TestDrive ('downloads-' + [guid]::NewGuid().ToString('N')))
    }

    function Get-RepositoryState {
        # Everything a change could touch: every field of every image, every membership, every file
        # in the store and in the download folder, and the events log.
        $images = @(Get-Image) + @(Get-Image -Status PendingDelete) | Sort-Object Id
        $members = $images | Where-Object Visibility -EQ Shared | Get-ImageMember | Sort-Object ImageId, MemberId
        $files = @(Get-StoreFile) + @(Get-ChildItem -LiteralPath $downloads -Force -Recurse) |
            Sort-Object FullName | ForEach-Object { '{0} {1}' -f $_.FullName, $_.Length }
        $events = @(Get-ImageEvent).Count
        (($images | ConvertTo-Json -Depth 5), ($members | ConvertTo-Json), ($files -join "`n"), "events: $events") -join "`n"
    }

    # How to ask each cmdlet for a change that would really happen without -WhatIf.
    $whatIfCalls = @{
        'New-Image'      = { New-Image -Name ghost -Tag ghost -WhatIf }
        'Send-ImageData' = { $queued | Send-ImageData -Path $file.FullName -WhatIf }
        'Set-Image'      = { $active, $queued | Set-Image -Name ghost -AddTag ghost -Property @{ ghost = 'yes' } -Protected $true -WhatIf }
        'Disable-Image'  = { $active | Disable-Image -WhatIf }
        'Enable-Image'   = { $deactivated | Enable-Image -WhatIf }
        'Remove-Image'   = { Get-Image | Remove-Image -Force -WhatIf }
        'Save-ImageData'     = { $active | Save-ImageData -Path $downloads -WhatIf; Save-ImageData -Id $active.Id -Path (Join-Path $downloads 'copy.raw') -WhatIf }
        'Add-ImageMember'    = { $shared | Add-ImageMember -MemberId db, ops -WhatIf }
        'Set-ImageMember'    = { $member | Set-ImageMember -Status Accepted -PassThru -WhatIf }
        'Remove-ImageMember' = { $member | Remove-ImageMember -WhatIf }
        # A byte flipped behind ImagePs's back (same length, so the state compared is the same): the
        # image fails, and -Deactivate would deactivate it.
        'Test-Image'         = {
            $bytes = [IO.File]::ReadAllBytes((Export-StoredData -Id $active.Id -Path (Join-Path $TestDrive ('flip-' + [guid]::NewGuid().ToString('N')))))
            $bytes[0] = $bytes[0] -bxor 0xFF
            $flipped = Join-Path $TestDrive ('flipped-' + [guid]::NewGuid().ToString('N'))
            [IO.File]::WriteAllBytes($flipped, $bytes)
            Import-StoredData -Id $active.Id -Path $flipped
            $null = $active | Test-Image -Deactivate -WhatIf
        }
        'Restore-Image'      = { Get-Image -Status PendingDelete | Restore-Image -WhatIf }
        'Clear-DeletedImage' = { Clear-DeletedImage -All -Force -WhatIf }
        'Import-Image'       = { Import-Image -LiteralPath $file.FullName -Tag ghost -WhatIf }
        'Copy-ImageRepository' = { Copy-ImageRepository -Destination (Join-Path $TestDrive ('copy-' + [guid]::NewGuid().ToString('N'))) -WhatIf }
    }
}

Describe '<Name> -WhatIf' -ForEach $changing {
    BeforeEach { New-Fixture -DelayedDelete }

    It 'changes nothing in the catalog or the store' {
        $whatIfCalls.Keys | Should -Contain $Name -Because "the test needs a -WhatIf call for $Name"
        $before = Get-RepositoryState

        & $whatIfCalls[$Name] | Should -BeNullOrEmpty

        Get-RepositoryState | Should -Be $before
    }
}

Describe 'Save-ImageData -WhatIf' {
    BeforeEach { New-Fixture }

    It 'writes no file: neither the target nor a temporary file beside it' {
        $target = Join-Path $downloads 'copy.raw'

        $active | Save-ImageData -Path $target -PassThru -WhatIf | Should -BeNullOrEmpty
        $active | Save-ImageData -Path $downloads -Force -WhatIf | Should -BeNullOrEmpty

        $target | Should -Not -Exist
        Get-ChildItem -LiteralPath $downloads -Force -Recurse | Should -BeNullOrEmpty

        # The same calls without -WhatIf write both files: what the assertions above look for is real.
        $active | Save-ImageData -Path $target
        $active | Save-ImageData -Path $downloads
        (Get-ChildItem -LiteralPath $downloads -Force).Name | Sort-Object | Should -Be @('active.raw', 'copy.raw')
        Get-ExternalHash -Path $target -Algorithm md5 | Should -Be $active.Checksum
    }
}

Describe 'What -WhatIf and -Confirm say' {
    # Add-, Set- and Remove-ImageMember are not in this list: the target they show is the image's id
    # alone, not the image as 'name (id)' (their -WhatIf changing nothing is tested above).
    It 'is a sentence from Messages.resx naming the image, for every changing cmdlet' {
        $repository = Join-Path $TestDrive ('whatif-' + [guid]::NewGuid().ToString('N'))
        $result = Invoke-FreshPwsh -Environment @{ IMAGEPS_HOME = $repository } -Command @"
Import-Module '$ManifestPath'
`$file = Join-Path '$repository' 'data.raw'
New-Item -ItemType Directory -Force -Path '$repository' | Out-Null
[IO.File]::WriteAllBytes(`$file, [byte[]]::new(100))
`$queued = New-Image -Name queued -DiskFormat raw
`$active = Get-Item `$file | New-Image -Name active | Send-ImageData
`$deactivated = Get-Item `$file | New-Image -Name deactivated | Send-ImageData | Disable-Image -PassThru
New-Image -Name ghost -WhatIf
`$queued | Send-ImageData -Path `$file -WhatIf
`$active | Set-Image -Name ghost -AddTag a, b -RemoveProperty p -WhatIf
`$active | Disable-Image -WhatIf
`$deactivated | Enable-Image -WhatIf
`$active | Remove-Image -WhatIf
`$active | Save-ImageData -Path '$repository' -WhatIf
"@
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        $whatIf = @($result.Output | Where-Object { $_ -like 'What if:*' })
        $whatIf.Count | Should -Be 7

        $resx = [xml](Get-Content -LiteralPath (Join-Path $RepoRoot 'src/ImagePs.Core/Resources/Messages.resx') -Raw)
        $patterns = $resx.root.data | Where-Object name -Like 'Action*' |
            ForEach-Object { '^' + ([regex]::Escape($_.value) -replace '\\\{\d+}', '.+') + '$' }
        foreach ($line in $whatIf) {
            $line -match '^What if: Performing the operation "(?<action>.+)" on target "(?<target>.+)"\.$' | Should -BeTrue -Because $line
            $action = $Matches.action
            $target = $Matches.target
            @($patterns | Where-Object { $action -match $_ }).Count | Should -BeGreaterThan 0 -Because "'$action' must come from Messages.resx"
            $target | Should -Match '^(ghost|queued|active|deactivated)( \([0-9a-f-]{36}\))?$'
        }
        $whatIf[2] | Should -Match "set the name to 'ghost'; add the tags 'a', 'b'; remove the properties 'p'"
    }
}

Describe 'In a non-interactive session' {
    BeforeEach { New-Fixture }

    It 'Remove-Image asks (an error there) and removes nothing without -Force' {
        $result = Invoke-FreshPwsh -Environment @{ IMAGEPS_HOME = $env:IMAGEPS_HOME } -Command @"
Import-Module '$ManifestPath'
Remove-Image -Id $($active.Id)
"@
        ($result.Output -join "`n") | Should -Match 'NonInteractive'
        (Get-Image -Id $active.Id).Status | Should -Be 'Active'
    }

    It 'nothing prompts when $ConfirmPreference is None' {
        $result = Invoke-FreshPwsh -Environment @{ IMAGEPS_HOME = $env:IMAGEPS_HOME } -Command @"
`$ErrorActionPreference = 'Stop'
`$ConfirmPreference = 'None'
Import-Module '$ManifestPath'
Remove-Image -Id $($active.Id)
'removed'
"@
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        $result.Output | Should -Contain 'removed'
        Get-Image -Id $active.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'nothing prompts at the default $ConfirmPreference except Remove-Image; -Confirm:$false silences that too' {
        $result = Invoke-FreshPwsh -Environment @{ IMAGEPS_HOME = $env:IMAGEPS_HOME } -Command @"
`$ErrorActionPreference = 'Stop'
Import-Module '$ManifestPath'
`$image = Get-Item '$($file.FullName)' | New-Image -Name unattended | Send-ImageData
`$image | Set-Image -AddTag unattended
`$image | Disable-Image
`$image | Enable-Image
`$image | Remove-Image -Confirm:`$false
'done'
"@
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        $result.Output | Should -Contain 'done'
        Get-Image -Name unattended -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'an explicit -Confirm cannot be answered, so nothing changes' {
        $result = Invoke-FreshPwsh -Environment @{ IMAGEPS_HOME = $env:IMAGEPS_HOME } -Command @"
Import-Module '$ManifestPath'
Disable-Image -Id $($active.Id) -Confirm
"@
        ($result.Output -join "`n") | Should -Match 'NonInteractive'
        (Get-Image -Id $active.Id).Status | Should -Be 'Active'
    }

    It 'writes no progress when $ProgressPreference is SilentlyContinue' {
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript(@"
`$ProgressPreference = 'SilentlyContinue'
`$env:IMAGEPS_HOME = '$($env:IMAGEPS_HOME)'
Import-Module '$ManifestPath'
Get-Item '$($file.FullName)' | New-Image -Name quiet | Send-ImageData | Set-Image -AddTag quiet -PassThru | Disable-Image -PassThru
"@)
            $output = $shell.Invoke()
            $shell.Streams.Error | Should -BeNullOrEmpty
            $output.Status | Should -Be 'Deactivated'
            $shell.Streams.Progress | Should -BeNullOrEmpty
        }
        finally {
            $shell.Dispose()
        }
    }
}
