BeforeAll {
    . $PSScriptRoot/TestSupport.ps1

    function Invoke-SuiteRunner {
        # tests/Invoke-PesterSuite.ps1 (what build.ps1 Test runs) on a folder of test files, in a fresh pwsh.
        param([Parameter(Mandatory)] [string] $TestPath)
        $summary = Join-Path $TestDrive ('summary-' + [guid]::NewGuid().ToString('N') + '.json')
        $pester = (Get-Module Pester).Path -replace '\.psm1$', '.psd1'
        & (Get-PwshPath) -NoProfile -NonInteractive -File (Join-Path $RepoRoot 'tests/Invoke-PesterSuite.ps1') `
            -PesterManifest $pester -TestPath $TestPath -SummaryPath $summary -ResultPath "$summary.xml" | Out-Null
        $exitCode = $LASTEXITCODE
        $counts = Get-Content -LiteralPath $summary -Raw | ConvertFrom-Json
        @{ ExitCode = $exitCode; Counts = $counts }
    }
}

Describe 'The Pester suite runner counts what did not run as failed' {
    It 'fails a folder where no test is discovered' {
        $empty = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'empty')
        Set-Content -LiteralPath (Join-Path $empty 'Nothing.Tests.ps1') -Value '# no Describe here'

        $run = Invoke-SuiteRunner -TestPath $empty.FullName

        $run.ExitCode | Should -Not -Be 0
        $run.Counts.Failed | Should -Be 1
        $run.Counts.Passed | Should -Be 0
        $run.Counts.FailedNames | Should -Match 'no Pester test was discovered'
    }

    It 'fails and names the tests a failing BeforeAll kept from running, and counts skips apart' {
        $folder = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'broken')
        Set-Content -LiteralPath (Join-Path $folder 'Broken.Tests.ps1') -Value @'
Describe 'fine' {
    It 'passes' { 1 | Should -Be 1 }
    It 'is skipped' -Skip { 1 | Should -Be 2 }
}
Describe 'set-up fails' {
    BeforeAll { throw 'no fixture' }
    It 'never runs' { 1 | Should -Be 1 }
}
'@

        $run = Invoke-SuiteRunner -TestPath $folder.FullName

        $run.ExitCode | Should -Not -Be 0
        $run.Counts.Passed | Should -Be 1
        $run.Counts.Skipped | Should -Be 1
        $run.Counts.Failed | Should -BeGreaterThan 0
        $run.Counts.Discovered | Should -Be 3
        ($run.Counts.FailedNames -join "`n") | Should -Match 'set-up fails'
    }
}
