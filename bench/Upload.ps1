#Requires -Version 7.4
<#
.SYNOPSIS
    Upload throughput of ImagePs against the tools that bound it, measured in one run on one file.

.DESCRIPTION
    Makes a file of random bytes (default 1 GiB) next to a temporary repository, reads it once so
    it is in the page cache, then times on that same file: cp, md5sum, sha512sum, openssl dgst -md5,
    openssl dgst -sha512, Send-ImageData (the whole cmdlet, in this pwsh) and the core store call
    alone (bench/ImagePs.Bench, no PowerShell). Each is run -Runs times; the median is reported with
    MB/s and the ratio to openssl dgst -md5, the speed limit of a single MD5 stream. Peak memory
    growth (Linux VmHWM, reset before each measured call) is shown for the two ImagePs rows.

.EXAMPLE
    dotnet pwsh bench/Upload.ps1
.EXAMPLE
    dotnet pwsh bench/Upload.ps1 -SizeMiB 256 -Runs 5
#>
[CmdletBinding()]
param(
    [int] $SizeMiB = 1024,
    [int] $Runs = 3,
    # Where the file and the repository go; the same filesystem for all measurements.
    [string] $WorkFolder = (Join-Path ([IO.Path]::GetTempPath()) ('imageps-bench-' + [IO.Path]::GetRandomFileName())),
    # Use the module and bench/ImagePs.Bench as already built (the test suite's smoke run).
    [switch] $NoBuild
)

$ErrorActionPreference = 'Stop'
$Root = Split-Path -Parent $PSScriptRoot
. (Join-Path $PSScriptRoot 'BenchSupport.ps1')

if (-not $NoBuild) {
    & (Join-Path $Root 'build.ps1') Build | Out-Null
    dotnet build (Join-Path $PSScriptRoot 'ImagePs.Bench/ImagePs.Bench.csproj') -c Release --nologo -v quiet | Out-Null
    if ($LASTEXITCODE) { throw 'Building bench/ImagePs.Bench failed.' }
}
$coreBench = Join-Path $PSScriptRoot 'ImagePs.Bench/bin/Release/net10.0/ImagePs.Bench.dll'

New-Item -ItemType Directory -Path $WorkFolder -Force | Out-Null
$file = Join-Path $WorkFolder 'data.bin'
$copy = Join-Path $WorkFolder 'copy.bin'
$bytes = [long]$SizeMiB * 1MB

function Measure-Native([string] $Name, [scriptblock] $Command) {
    $times = foreach ($run in 1..$Runs) {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        & $Command | Out-Null
        $watch.Stop()
        if ($LASTEXITCODE) { throw "$Name failed." }
        $watch.Elapsed.TotalSeconds
    }
    [pscustomobject]@{ Measure = $Name; Seconds = Get-Median $times; PeakGrowthMiB = $null }
}

Write-Host "Writing $SizeMiB MiB of random data to $file"
& head -c $bytes /dev/urandom > $file
& cat $file > /dev/null   # page-cached from here on

$results = [Collections.Generic.List[object]]::new()
$results.Add((Measure-Native 'cp' { & cp $file $copy; Remove-Item $copy }))
$results.Add((Measure-Native 'md5sum' { & md5sum $file }))
$results.Add((Measure-Native 'sha512sum' { & sha512sum $file }))
$results.Add((Measure-Native 'openssl dgst -md5' { & openssl dgst -md5 $file }))
$results.Add((Measure-Native 'openssl dgst -sha512' { & openssl dgst -sha512 $file }))

# The whole cmdlet, in this process.
$env:IMAGEPS_HOME = Join-Path $WorkFolder 'repository'
Import-Module (Join-Path $Root 'ImagePs.psd1') -Force
$ProgressPreference = 'SilentlyContinue'
$times = @(); $growth = @()
foreach ($run in 1..$Runs) {
    $image = New-Image -Name "bench-$run" -DiskFormat raw
    $before = Reset-PeakMemory
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $uploaded = Send-ImageData -Id $image.Id -Path $file
    $watch.Stop()
    $growth += ((Get-ProcessMemory 'VmHWM:') - $before) / 1MB
    if ($uploaded.Status -ne 'Active') { throw 'Send-ImageData did not finish.' }
    $times += $watch.Elapsed.TotalSeconds
    Remove-Image -Id $image.Id -Force
}
$results.Add([pscustomobject]@{ Measure = 'Send-ImageData (cmdlet)'; Seconds = Get-Median $times; PeakGrowthMiB = Get-Median $growth })

# The core store call alone, in its own process.
$core = & dotnet $coreBench store $file (Join-Path $WorkFolder 'core-store') $Runs | ConvertFrom-Json
$results.Add([pscustomobject]@{
        Measure = 'FileSystemImageStore.Add (core)'; Seconds = Get-Median $core.seconds; PeakGrowthMiB = Get-Median $core.peakGrowthMiB
    })

$baseline = ($results | Where-Object Measure -EQ 'openssl dgst -md5').Seconds
$cpu = Get-CpuName
Write-Host ("`n{0} MiB file, page-cached; median of {1} runs; {2} cores ({3}); filesystem: {4}" -f $SizeMiB, $Runs,
    [Environment]::ProcessorCount, $cpu, ((& df -T $WorkFolder | Select-Object -Last 1) -split '\s+')[1])
$results | ForEach-Object {
    [pscustomobject]@{
        Measure           = $_.Measure
        Seconds           = [Math]::Round($_.Seconds, 3)
        'MB/s'            = [Math]::Round($bytes / 1e6 / $_.Seconds, 0)
        'x openssl md5'   = [Math]::Round($baseline / $_.Seconds, 2)
        'Peak growth MiB' = if ($null -ne $_.PeakGrowthMiB) { [Math]::Round($_.PeakGrowthMiB, 1) } else { '' }
    }
} | Format-Table -AutoSize | Out-String -Width 160 | Write-Host

Remove-Item -LiteralPath $WorkFolder -Recurse -Force
