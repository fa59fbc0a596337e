<#
.SYNOPSIS
    Runs the Pester suite in this (fresh) pwsh and writes its counts where build.ps1 reads them.
#>
param(
    [Parameter(Mandatory)] [string] $PesterManifest,
    [Parameter(Mandatory)] [string] $TestPath,
    [Parameter(Mandatory)] [string] $SummaryPath,
    [Parameter(Mandatory)] [string] $ResultPath
)

$ErrorActionPreference = 'Stop'
Import-Module $PesterManifest -Force

$configuration = New-PesterConfiguration
$configuration.Run.Path = $TestPath
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Detailed'
$configuration.TestResult.Enabled = $true
$configuration.TestResult.OutputFormat = 'NUnitXml'
$configuration.TestResult.OutputPath = $ResultPath

$result = Invoke-Pester -Configuration $configuration
if ($null -eq $result) {
    # Pester itself failed (for example while writing its report): that is a failed run, not an empty one.
    [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 } | ConvertTo-Json | Set-Content -LiteralPath $SummaryPath
    exit 1
}
# A container (file) that fails to load or a failing BeforeAll counts as a failure too.
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
[pscustomobject]@{ Passed = $result.PassedCount; Failed = $failed; Skipped = $result.SkippedCount } |
    ConvertTo-Json | Set-Content -LiteralPath $SummaryPath
exit $failed
