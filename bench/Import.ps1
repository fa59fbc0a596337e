#Requires -Version 7.4
<#
.SYNOPSIS
    Import-Image's throughput against curl and xz piped into openssl dgst -md5, and its parallel
    speed-up over rate-limited downloads, in one run.

.DESCRIPTION
    Makes one raw disk (default 1 GiB: half random bytes, half zeros) and its .xz, serves both from
    the test web server on 127.0.0.1 (tests/ImagePs.TestWebServer), and times, each -Runs times:
    - curl -s <url> | openssl dgst -md5 (the baseline of a download) against Import-Image -Uri <url>
      (goal: 0.8 x the baseline's throughput or better);
    - xz -dc <file.xz> | openssl dgst -md5 (the baseline of a decompression) against Import-Image
      -Uri <url.xz> (goal: 0.9 or better);
    - one rate-limited download (-RateMiBps, of a -ParallelMiB file) against four of them with
      -ThrottleLimit 4 (goal: a speed-up of 3.5 or more), and this process's peak memory growth during
      the four (goal: under 64 MiB per running import, decoder windows aside).
    The repository is SQLite + files in -WorkFolder. The machine line names the CPU and the disk.

.EXAMPLE
    dotnet pwsh bench/Import.ps1
.EXAMPLE
    dotnet pwsh bench/Import.ps1 -SizeMiB 256 -Runs 1
#>
[CmdletBinding()]
param(
    [int] $SizeMiB = 1024,
    [int] $Runs = 3,
    [int] $ParallelMiB = 32,
    [int] $RateMiBps = 8,
    [string] $WorkFolder = (Join-Path ([IO.Path]::GetTempPath()) ('imageps-bench-' + [IO.Path]::GetRandomFileName())),
    # Use the module and the test web server as already built (the test suite's smoke run).
    [switch] $NoBuild
)

$ErrorActionPreference = 'Stop'
$Root = Split-Path -Parent $PSScriptRoot
. (Join-Path $PSScriptRoot 'BenchSupport.ps1')
. (Join-Path $Root 'tests/Pester/TestWebServer.ps1')
if (-not $NoBuild) { & (Join-Path $Root 'build.ps1') Build | Out-Null }

$served = Join-Path $WorkFolder 'served'
New-Item -ItemType Directory -Path $served -Force | Out-Null
$bytes = [long]$SizeMiB * 1MB
$server = $null

function Measure-Run([string] $Name, [long] $Bytes, [scriptblock] $Command) {
    $times = foreach ($run in 1..$Runs) {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        & $Command
        $watch.Stop()
        $watch.Elapsed.TotalSeconds
    }
    [pscustomobject]@{ Measure = $Name; Seconds = Get-Median $times; Bytes = $Bytes }
}

function Invoke-Native([string] $Command) {
    & bash -c "set -o pipefail; $Command" | Out-Null
    if ($LASTEXITCODE) { throw "failed: $Command" }
}

try {
    Write-Host "Writing a $SizeMiB MiB raw disk (half random, half zeros) and its .xz in $WorkFolder"
    $disk = Join-Path $served 'disk.raw'
    Invoke-Native "head -c $($bytes / 2) /dev/urandom > '$disk' && head -c $($bytes - $bytes / 2) /dev/zero >> '$disk'"
    Invoke-Native "xz -k -T0 -1 '$disk'"
    $small = Join-Path $served 'small.raw'
    Invoke-Native "head -c $([long]$ParallelMiB * 1MB) /dev/urandom > '$small'"
    $expectedMd5 = ((& openssl dgst -md5 -r $disk) -split '\s+')[0]

    $server = Start-TestWebServer -Root $served
    $base = $server.Url.TrimEnd('/')
    $env:IMAGEPS_HOME = Join-Path $WorkFolder 'repository'
    Import-Module (Join-Path $Root 'ImagePs.psd1') -Force
    $ProgressPreference = 'SilentlyContinue'
    & cat $disk "$disk.xz" > /dev/null   # page-cached from here on, for the server and the baselines

    function Import-Once([string] $Url) {
        $image = Import-Image -Uri $Url
        if ($image.Checksum -ne $expectedMd5) { throw "Import-Image stored other data from $Url ($($image.Checksum))." }
        $image | Remove-Image -Force
    }

    $results = [Collections.Generic.List[object]]::new()
    $results.Add((Measure-Run 'curl | openssl dgst -md5' $bytes { Invoke-Native "curl -sf '$base/disk.raw' | openssl dgst -md5" }))
    $results.Add((Measure-Run 'Import-Image -Uri (raw)' $bytes { Import-Once "$base/disk.raw" }))
    $results.Add((Measure-Run 'xz -dc | openssl dgst -md5' $bytes { Invoke-Native "xz -dc '$disk.xz' | openssl dgst -md5" }))
    $results.Add((Measure-Run 'Import-Image -Uri (.xz)' $bytes { Import-Once "$base/disk.raw.xz" }))

    $rate = [long]$RateMiBps * 1MB
    $one = Measure-Run 'one rate-limited download' ([long]$ParallelMiB * 1MB) { Import-Image -Uri "$base/rate/$rate/small.raw" | Remove-Image -Force }
    $rss = Reset-PeakMemory
    $four = Measure-Run 'four, -ThrottleLimit 4' ([long]$ParallelMiB * 4MB) {
        $images = 1..4 | ForEach-Object { "$base/rate/$rate/small.raw?copy=$_" } | Import-Image -ThrottleLimit 4
        if (@($images).Count -ne 4) { throw 'not every parallel import finished' }
        $images | Remove-Image -Force
    }
    $peakGrowth = (Get-ProcessMemory 'VmHWM:') - $rss
    $results.Add($one)
    $results.Add($four)

    Write-Host ("`n{0} MiB disk, page-cached, served by the test web server on 127.0.0.1; median of {1} runs; {2} cores ({3}); disk: {4}" -f $SizeMiB, $Runs,
        [Environment]::ProcessorCount, (Get-CpuName), (Get-DiskName $served))
    $results | ForEach-Object {
        [pscustomobject]@{ Measure = $_.Measure; Seconds = [Math]::Round($_.Seconds, 3); 'MB/s' = [Math]::Round($_.Bytes / 1e6 / $_.Seconds, 0) }
    } | Format-Table -AutoSize | Out-String -Width 160 | Write-Host

    $seconds = @{}
    $results | ForEach-Object { $seconds[$_.Measure] = $_.Seconds }
    Write-Host ('Import-Image from the web server runs at {0:0.00} x the throughput of curl | openssl dgst -md5 (goal: 0.8 or more)' -f ($seconds['curl | openssl dgst -md5'] / $seconds['Import-Image -Uri (raw)']))
    Write-Host ('Import-Image of the .xz runs at {0:0.00} x the throughput of xz -dc | openssl dgst -md5 (goal: 0.9 or more)' -f ($seconds['xz -dc | openssl dgst -md5'] / $seconds['Import-Image -Uri (.xz)']))
    Write-Host ('-ThrottleLimit 4 over four downloads of {0} MiB at {1} MiB/s each: {2:0.00} x the throughput of one (goal: 3.5 or more)' -f $ParallelMiB, $RateMiBps, (4 * $one.Seconds / $four.Seconds))
    Write-Host ('Peak memory growth with four imports running: {0:0.0} MiB, {1:0.0} MiB per import (goal: under 64 MiB each)' -f ($peakGrowth / 1MB), ($peakGrowth / 4 / 1MB))
}
finally {
    if ($server) { Stop-TestWebServer $server }
    Remove-Item -LiteralPath $WorkFolder -Recurse -Force -ErrorAction Ignore
}
