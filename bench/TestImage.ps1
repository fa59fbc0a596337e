#Requires -Version 7.4
<#
.SYNOPSIS
    Test-Image's read-and-verify throughput against openssl dgst -md5 of the same stored file, in one run.

.DESCRIPTION
    Uploads a file of random bytes (default 1 GiB) into a temporary repository (SQLite + files),
    reads the stored file once so that it is in the page cache, then times on that stored file:
    openssl dgst -md5 (the speed limit of one MD5 stream, the baseline), openssl dgst -sha512, and
    Test-Image (the whole cmdlet, in this pwsh: size, MD5 and SHA-512 in one pass, plus the content
    rules). Each is run -Runs times; the median is reported with MB/s and the throughput ratio to
    openssl dgst -md5. The goal is Test-Image at 0.85 x openssl's MD5 throughput or better. The
    machine line names the CPU model and the disk (filesystem and device) the store is on.

.EXAMPLE
    dotnet pwsh bench/TestImage.ps1
.EXAMPLE
    dotnet pwsh bench/TestImage.ps1 -SizeMiB 256 -Runs 5
#>
[CmdletBinding()]
param(
    [int] $SizeMiB = 1024,
    [int] $Runs = 3,
    # Where the file and the repository go; the same filesystem for all measurements.
    [string] $WorkFolder = (Join-Path ([IO.Path]::GetTempPath()) ('imageps-bench-' + [IO.Path]::GetRandomFileName())),
    # Use the module as already built (the test suite's smoke run).
    [switch] $NoBuild
)

$ErrorActionPreference = 'Stop'
$Root = Split-Path -Parent $PSScriptRoot
. (Join-Path $PSScriptRoot 'BenchSupport.ps1')
if (-not $NoBuild) { & (Join-Path $Root 'build.ps1') Build | Out-Null }

New-Item -ItemType Directory -Path $WorkFolder -Force | Out-Null
$source = Join-Path $WorkFolder 'data.bin'
$bytes = [long]$SizeMiB * 1MB

function Measure-Run([string] $Name, [scriptblock] $Command) {
    $times = foreach ($run in 1..$Runs) {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        & $Command
        $watch.Stop()
        $watch.Elapsed.TotalSeconds
    }
    [pscustomobject]@{ Measure = $Name; Seconds = Get-Median $times }
}

try {
    Write-Host "Writing $SizeMiB MiB of random data and uploading it into a repository in $WorkFolder"
    & head -c $bytes /dev/urandom > $source
    $env:IMAGEPS_HOME = Join-Path $WorkFolder 'repository'
    Import-Module (Join-Path $Root 'ImagePs.psd1') -Force
    $ProgressPreference = 'SilentlyContinue'
    $image = New-Image -Name bench -DiskFormat raw | Send-ImageData -Path $source
    Remove-Item -LiteralPath $source
    $stored = Join-Path $env:IMAGEPS_HOME "images/$($image.Id)"
    & cat $stored > /dev/null   # page-cached from here on

    $results = [Collections.Generic.List[object]]::new()
    $results.Add((Measure-Run 'openssl dgst -md5' { & openssl dgst -md5 $stored | Out-Null; if ($LASTEXITCODE) { throw 'openssl failed.' } }))
    $results.Add((Measure-Run 'openssl dgst -sha512' { & openssl dgst -sha512 $stored | Out-Null; if ($LASTEXITCODE) { throw 'openssl failed.' } }))
    $results.Add((Measure-Run 'Test-Image (cmdlet)' {
                $result = Test-Image -Id $image.Id
                if (-not $result.Passed -or $result.BytesRead -ne $bytes) { throw "Test-Image did not verify the data: $($result.Message)" }
            }))

    $baseline = ($results | Where-Object Measure -EQ 'openssl dgst -md5').Seconds
    $cpu = Get-CpuName
    Write-Host ("`n{0} MiB stored file, page-cached; median of {1} runs; {2} cores ({3}); disk: {4}" -f $SizeMiB, $Runs,
        [Environment]::ProcessorCount, $cpu, (Get-DiskName $stored))
    $results | ForEach-Object {
        [pscustomobject]@{
            Measure         = $_.Measure
            Seconds         = [Math]::Round($_.Seconds, 3)
            'MB/s'          = [Math]::Round($bytes / 1e6 / $_.Seconds, 0)
            'x openssl md5' = [Math]::Round($baseline / $_.Seconds, 2)
        }
    } | Format-Table -AutoSize | Out-String -Width 160 | Write-Host
    $ratio = $baseline / ($results | Where-Object Measure -EQ 'Test-Image (cmdlet)').Seconds
    Write-Host ('Test-Image verifies at {0:0.00} x the throughput of openssl dgst -md5 (goal: 0.85 or more)' -f $ratio)
}
finally {
    Remove-Item -LiteralPath $WorkFolder -Recurse -Force -ErrorAction Ignore
}
