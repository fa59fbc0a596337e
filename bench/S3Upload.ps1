#Requires -Version 7.4
<#
.SYNOPSIS
    Ingest into Ceph RGW with Send-ImageData (PostgreSQL catalog + S3 store) against a plain S3 PUT of
    the same file with curl, measured in one run; and Save-ImageData against a plain GET.

.DESCRIPTION
    Uses the test servers (tests/Servers): the running ones when IMAGEPS_TEST_POSTGRESQL and
    IMAGEPS_TEST_S3_URL are set, else it starts them (root, Linux) and stops them at the end. Makes a
    file of random bytes (default 1 GiB), reads it once so it is in the page cache, then times:

      curl PUT              curl -T with --aws-sigv4 and x-amz-content-sha256: UNSIGNED-PAYLOAD: one
                            request, no hashing, the speed of RGW itself (the baseline)
      Send-ImageData        the whole cmdlet into a repository whose imageps.json names the PostgreSQL
                            catalog and an S3 bucket: catalog compare-and-swaps, a streaming multipart
                            upload (8 MiB parts, 3 in flight), MD5 and SHA-512 in the same pass, the
                            format inspection by ranged GETs
      curl GET              the object back to a file
      Save-ImageData        the image back to a file, size, MD5 and SHA-512 verified as it streams

    Each is run -Runs times; the median is reported with MB/s and the ratio to its curl baseline.
    Peak memory growth of this pwsh (Linux VmHWM, reset before each call) is shown for the cmdlets.

.EXAMPLE
    dotnet pwsh bench/S3Upload.ps1
.EXAMPLE
    dotnet pwsh bench/S3Upload.ps1 -SizeMiB 256 -Runs 5
#>
[CmdletBinding()]
param(
    [int] $SizeMiB = 1024,
    [int] $Runs = 3,
    [string] $WorkFolder = (Join-Path ([IO.Path]::GetTempPath()) ('imageps-bench-s3-' + [IO.Path]::GetRandomFileName())),
    # Use the module and bench/ImagePs.Bench as already built (the test suite's smoke run).
    [switch] $NoBuild
)

$ErrorActionPreference = 'Stop'
$Root = Split-Path -Parent $PSScriptRoot
. (Join-Path $PSScriptRoot 'BenchSupport.ps1')
$bytes = [long]$SizeMiB * 1MB

function Invoke-Curl([string[]] $Arguments) {
    & curl -s -f --aws-sigv4 'aws:amz:us-east-1:s3' --user "$($servers.S3.AccessKey):$($servers.S3.SecretKey)" `
        -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' @Arguments
    if ($LASTEXITCODE) { throw "curl $($Arguments -join ' ') failed ($LASTEXITCODE)." }
}

if (-not $NoBuild) { & (Join-Path $Root 'build.ps1') Build | Out-Null }

$started = $false
if ($env:IMAGEPS_TEST_POSTGRESQL -and $env:IMAGEPS_TEST_S3_URL) {
    $servers = [pscustomobject]@{
        PostgreSql = [pscustomobject]@{ ConnectionString = $env:IMAGEPS_TEST_POSTGRESQL }
        S3         = [pscustomobject]@{ ServiceUrl = $env:IMAGEPS_TEST_S3_URL; AccessKey = $env:IMAGEPS_TEST_S3_ACCESS_KEY; SecretKey = $env:IMAGEPS_TEST_S3_SECRET_KEY }
    }
}
else {
    $servers = & (Join-Path $Root 'tests/Servers/Start-TestServers.ps1')
    if (-not $servers.Available) { throw "The servers could not be started: $($servers.Reason)" }
    $started = $true
}

try {
    New-Item -ItemType Directory -Path $WorkFolder -Force | Out-Null
    $file = Join-Path $WorkFolder 'data.bin'
    Write-Host "Writing $SizeMiB MiB of random data to $file"
    & head -c $bytes /dev/urandom > $file
    & cat $file > /dev/null   # page-cached from here on

    $suffix = [guid]::NewGuid().ToString('N').Substring(0, 12)
    $plainBucket = "bench-plain-$suffix"
    $url = $servers.S3.ServiceUrl
    Invoke-Curl @('-X', 'PUT', '-o', '/dev/null', "$url/$plainBucket")

    $repository = Join-Path $WorkFolder 'repository'
    New-Item -ItemType Directory -Path $repository | Out-Null
    @{
        Catalog = @{ Provider = 'PostgreSql'; ConnectionString = $servers.PostgreSql.ConnectionString + ";Search Path=bench_$suffix" }
        Store   = @{ Provider = 'S3'; ServiceUrl = $url; Bucket = "bench-imageps-$suffix"; AccessKey = $servers.S3.AccessKey; SecretKey = $servers.S3.SecretKey }
    } | ConvertTo-Json | Set-Content -LiteralPath (Join-Path $repository 'imageps.json')
    $env:IMAGEPS_HOME = $repository
    Import-Module (Join-Path $Root 'ImagePs.psd1') -Force
    $ProgressPreference = 'SilentlyContinue'
    $context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext([ImagePs.Image].Assembly)
    $npgsql = $context.LoadFromAssemblyName([Reflection.AssemblyName]::new('Npgsql'))
    $connection = [Activator]::CreateInstance($npgsql.GetType('Npgsql.NpgsqlConnection'), [object[]]@($servers.PostgreSql.ConnectionString))
    $connection.Open(); $command = $connection.CreateCommand(); $command.CommandText = "CREATE SCHEMA bench_$suffix"; $null = $command.ExecuteNonQuery(); $connection.Dispose()

    # Warm up both paths once (connections, bucket creation, the module's first call).
    Invoke-Curl @('-T', $file, '-o', '/dev/null', "$url/$plainBucket/warm")
    New-Image -Name warm -DiskFormat raw | Send-ImageData -Path $file | Remove-Image -Force

    $put = @(); $send = @(); $sendGrowth = @(); $get = @(); $save = @(); $saveGrowth = @()
    foreach ($run in 1..$Runs) {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        Invoke-Curl @('-T', $file, '-o', '/dev/null', "$url/$plainBucket/run-$run")
        $put += $watch.Elapsed.TotalSeconds

        $image = New-Image -Name "bench-$run" -DiskFormat raw
        $before = Reset-PeakMemory
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $uploaded = Send-ImageData -Id $image.Id -Path $file
        $send += $watch.Elapsed.TotalSeconds
        $sendGrowth += ((Get-ProcessMemory 'VmHWM:') - $before) / 1MB
        if ($uploaded.Status -ne 'Active') { throw 'Send-ImageData did not finish.' }

        $target = Join-Path $WorkFolder "get-$run.bin"
        $watch = [Diagnostics.Stopwatch]::StartNew()
        Invoke-Curl @('-o', $target, "$url/$plainBucket/run-$run")
        $get += $watch.Elapsed.TotalSeconds
        Remove-Item -LiteralPath $target

        $target = Join-Path $WorkFolder "save-$run.bin"
        $before = Reset-PeakMemory
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $uploaded | Save-ImageData -Path $target
        $save += $watch.Elapsed.TotalSeconds
        $saveGrowth += ((Get-ProcessMemory 'VmHWM:') - $before) / 1MB
        Remove-Item -LiteralPath $target
        Remove-Image -Id $image.Id -Force
        Invoke-Curl @('-X', 'DELETE', '-o', '/dev/null', "$url/$plainBucket/run-$run")
    }

    $cpu = Get-CpuName
    Write-Host ("`n{0} MiB file, page-cached; median of {1} runs; {2} cores ({3}); Ceph RGW {4} on loopback, one BlueStore OSD on a sparse file" -f
        $SizeMiB, $Runs, [Environment]::ProcessorCount, $cpu, ((& radosgw --version 2>$null) -replace '^ceph version (\S+).*$', '$1'))
    $rows = @(
        @{ Measure = 'curl PUT (UNSIGNED-PAYLOAD)'; Seconds = Get-Median $put; Baseline = Get-Median $put }
        @{ Measure = 'Send-ImageData (PostgreSQL + S3)'; Seconds = Get-Median $send; Baseline = Get-Median $put; Growth = Get-Median $sendGrowth }
        @{ Measure = 'curl GET'; Seconds = Get-Median $get; Baseline = Get-Median $get }
        @{ Measure = 'Save-ImageData (PostgreSQL + S3)'; Seconds = Get-Median $save; Baseline = Get-Median $get; Growth = Get-Median $saveGrowth }
    )
    $rows | ForEach-Object {
        [pscustomobject]@{
            Measure           = $_.Measure
            Seconds           = [Math]::Round($_.Seconds, 3)
            'MB/s'            = [Math]::Round($bytes / 1e6 / $_.Seconds, 0)
            'Time x curl'     = [Math]::Round($_.Seconds / $_.Baseline, 2)
            'Peak growth MiB' = if ($_.ContainsKey('Growth')) { [Math]::Round($_.Growth, 1) } else { '' }
        }
    } | Format-Table -AutoSize | Out-String -Width 160 | Write-Host
}
finally {
    Remove-Item -LiteralPath $WorkFolder -Recurse -Force -ErrorAction Ignore
    if ($started) { & (Join-Path $Root 'tests/Servers/Stop-TestServers.ps1') }
}
