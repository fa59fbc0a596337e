BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    # The scripts of module/examples, run as a scheduler would: a fresh pwsh, the module found by name.
    $examples = Join-Path $RepoRoot 'module/examples'
    $modulePath = New-TestModulePath
    $pesterManifest = (Get-Module Pester).Path

    function Invoke-Example {
        param([string] $Script, [string[]] $Arguments = @(), [string] $Repository)
        $command = "& '$(Join-Path $examples $Script)' $($Arguments -join ' '); exit `$LASTEXITCODE"
        Invoke-FreshPwsh -Command $command -Environment @{ IMAGEPS_HOME = $Repository; PSModulePath = $modulePath }
    }
}

Describe 'The nightly ingest runbook (module/examples/Invoke-NightlyIngest.ps1)' {
    BeforeEach {
        $repository = Join-Path $TestDrive ('repo-' + [guid]::NewGuid().ToString('N'))
        $incoming = New-Item -ItemType Directory -Path (Join-Path $TestDrive ('incoming-' + [guid]::NewGuid().ToString('N')))
        New-QemuImage -Format qcow2 -Path (Join-Path $incoming 'debian-12.qcow2') | Out-Null
        New-QemuImage -Format vmdk -Path (Join-Path $incoming 'windows.vmdk') | Out-Null
    }

    It 'ingests every file, exits 0, and the example Pester suite passes on the result' {
        $run = Invoke-Example -Script 'Invoke-NightlyIngest.ps1' -Arguments "-Path '$incoming'" -Repository $repository

        $run.ExitCode | Should -Be 0 -Because ($run.Output -join "`n")
        $run.Output | Should -Contain '2 ingested, 0 failed'
        $env:IMAGEPS_HOME = $repository
        (Get-Image -Tag nightly | Sort-Object Name).Name | Should -Be @('debian-12', 'windows')
        (Get-Image -Tag nightly).Status | Sort-Object -Unique | Should -Be 'Active'

        $suite = Invoke-FreshPwsh -Environment @{ IMAGEPS_HOME = $repository; PSModulePath = $modulePath } -Command @"
Import-Module '$pesterManifest'
`$result = Invoke-Pester -Path '$(Join-Path $examples 'Catalog.Tests.ps1')' -PassThru -Output None
'passed ' + `$result.PassedCount + ' failed ' + `$result.FailedCount
"@
        $suite.Output | Should -Contain 'passed 6 failed 0' -Because ($suite.Output -join "`n")

        # Run again over the same folder: nothing new.
        $ids = (Get-Image -Tag nightly).Id | Sort-Object
        $again = Invoke-Example -Script 'Invoke-NightlyIngest.ps1' -Arguments "-Path '$incoming'" -Repository $repository
        $again.ExitCode | Should -Be 0 -Because ($again.Output -join "`n")
        (Get-Image -Tag nightly).Id | Sort-Object | Should -Be $ids

        # A byte flipped at rest is what its Test-Image line is there to catch.
        $debian = Get-Image -Name debian-12
        $stored = Export-StoredData -Id $debian.Id -Path (Join-Path $TestDrive 'debian-stored')
        $bytes = [IO.File]::ReadAllBytes($stored)
        $bytes[100000] = $bytes[100000] -bxor 0x01
        [IO.File]::WriteAllBytes($stored, $bytes)
        Import-StoredData -Id $debian.Id -Path $stored
        $damaged = Invoke-FreshPwsh -Environment @{ IMAGEPS_HOME = $repository; PSModulePath = $modulePath } -Command @"
Import-Module '$pesterManifest'
`$result = Invoke-Pester -Path '$(Join-Path $examples 'Catalog.Tests.ps1')' -PassThru -Output None
'passed ' + `$result.PassedCount + ' failed ' + `$result.FailedCount
"@
        $damaged.Output | Should -Contain 'passed 5 failed 1' -Because ($damaged.Output -join "`n")
    }

    It 'goes on past a bad file, reports its error id and exits 1; the example Pester suite then fails' {
        # A cap the two small qemu images fit under and this file does not.
        New-RandomFile -Path (Join-Path $incoming 'huge.raw') -Length 2MB | Out-Null
        New-Item -ItemType Directory -Force -Path $repository | Out-Null
        Set-Content -LiteralPath (Join-Path $repository 'imageps.json') -Value '{ "ImageSizeCap": 1600000 }'

        $run = Invoke-Example -Script 'Invoke-NightlyIngest.ps1' -Arguments "-Path '$incoming'" -Repository $repository

        $run.ExitCode | Should -Be 1
        $run.Output | Where-Object { $_ -like 'FAILED ImageSizeCapExceeded:*' } | Should -Not -BeNullOrEmpty
        $env:IMAGEPS_HOME = $repository
        (Get-Image -Status Active).Count | Should -Be 2
        (Get-Image -Name huge).Status | Should -Be 'Queued'

        $suite = Invoke-FreshPwsh -Environment @{ IMAGEPS_HOME = $repository; PSModulePath = $modulePath } -Command @"
Import-Module '$pesterManifest'
`$result = Invoke-Pester -Path '$(Join-Path $examples 'Catalog.Tests.ps1')' -PassThru -Output None
'failed ' + `$result.FailedCount
"@
        $suite.Output | Should -Not -Contain 'failed 0' -Because 'a Queued nightly image is what the suite is there to catch'

        # The next run retries the failed image instead of making another one.
        $huge = Get-Image -Name huge
        $huge.Properties['imageps_import_error'] | Should -BeLike 'ImageSizeCapExceeded: *'
        $again = Invoke-Example -Script 'Invoke-NightlyIngest.ps1' -Arguments "-Path '$incoming'" -Repository $repository
        $again.ExitCode | Should -Be 1
        @(Get-Image -Name huge).Id | Should -Be $huge.Id
        @(Get-Image -Tag nightly).Count | Should -Be 3
    }
}

Describe 'The cleanup script (module/examples/Remove-OldImage.ps1)' {
    BeforeAll {
        $repository = Join-Path $TestDrive 'cleanup-repo'
        $env:IMAGEPS_HOME = $repository
        $old = New-Image -Name old -Tag nightly
        $oldProtected = New-Image -Name old-protected -Tag nightly -Protected
        $oldOther = New-Image -Name old-other -Tag release
        $cutoff = (New-Image -Name new -Tag nightly).CreatedAt
        $cutoffText = $cutoff.ToString('o')
    }

    It 'removes nothing with -WhatIf and lists what it would remove' {
        $run = Invoke-Example -Script 'Remove-OldImage.ps1' -Arguments "-Tag nightly -CreatedBefore '$cutoffText' -WhatIf" -Repository $repository

        $run.ExitCode | Should -Be 0 -Because ($run.Output -join "`n")
        @($run.Output | Where-Object { $_ -like 'What if:*' }).Count | Should -Be 1
        ($run.Output -join "`n") | Should -Match 'old-protected.*protected'
        (Get-Image).Name | Should -Be @('old', 'old-protected', 'old-other', 'new')
    }

    It 'then removes the old images with that tag, reporting the protected one' {
        $run = Invoke-Example -Script 'Remove-OldImage.ps1' -Arguments "-Tag nightly -CreatedBefore '$cutoffText'" -Repository $repository

        $run.ExitCode | Should -Be 0 -Because ($run.Output -join "`n")
        $run.Output | Should -Contain "1 of 2 image(s) tagged 'nightly' removed"
        ($run.Output -join "`n") | Should -Match 'protected'
        (Get-Image).Name | Should -Be @('old-protected', 'old-other', 'new')
    }
}
