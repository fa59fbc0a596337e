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
    [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0; Discovered = 0; FailedNames = @('Pester returned no result') } |
        ConvertTo-Json | Set-Content -LiteralPath $SummaryPath
    exit 1
}
# A container (file) that fails to load, a failing BeforeAll, a test discovered but never run, or a
# suite that discovers nothing at all: each is a failure, never a quieter green line.
$failedNames = @(
    $result.Failed | ForEach-Object { $_.ExpandedPath }
    $result.FailedBlocks | ForEach-Object { "$($_.ExpandedPath) (block)" }
    $result.FailedContainers | ForEach-Object { "$($_.Item) (file)" }
    $result.NotRun | ForEach-Object { "$($_.ExpandedPath) (discovered, not run)" }
)
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount + $result.NotRunCount
if ($result.TotalCount -eq 0) { $failed++; $failedNames += "no Pester test was discovered under $TestPath" }
[pscustomobject]@{
    Passed = $result.PassedCount; Failed = $failed; Skipped = $result.SkippedCount
    Discovered = $result.TotalCount; FailedNames = @($failedNames)
} | ConvertTo-Json | Set-Content -LiteralPath $SummaryPath
exit $failed
