#Requires -Version 7.4
<#
.SYNOPSIS
    Native format inspection versus `qemu-img info`, over the same files, in one run.

.DESCRIPTION
    Makes one image of each format with qemu-img (and an ISO with xorriso when installed) in a temp
    folder, then times, per file:
      - ImagePs's native inspector in-process (bench/ImagePs.Bench inspect, which references the engine);
      - `qemu-img info -f <driver> --output=json <file>` as a child process, output read to the end;
      - the same under `prlimit --cpu=2 --as=1073741824` (how ImagePs runs it on Linux).
    Both are timed by the same compiled loop in bench/ImagePs.Bench (System.Diagnostics.Stopwatch), after a warm-up, and
    the ratio qemu-img / native is printed per file and overall (geometric mean). Nothing is asserted:
    this measures, the test suite checks.

.EXAMPLE
    dotnet pwsh bench/Inspect.ps1
    dotnet pwsh bench/Inspect.ps1 -NativeCalls 20000 -QemuCalls 50
#>
[CmdletBinding()]
param(
    [ValidateRange(10, 1000000)] [int] $NativeCalls = 5000,
    [ValidateRange(3, 10000)] [int] $QemuCalls = 30,
    # Use bench/ImagePs.Bench as already built (the test suite's smoke run).
    [switch] $NoBuild
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
. (Join-Path $PSScriptRoot 'BenchSupport.ps1')

if (-not $NoBuild) {
    dotnet build (Join-Path $PSScriptRoot 'ImagePs.Bench/ImagePs.Bench.csproj') -c Release --nologo -v quiet | Out-Null
    if ($LASTEXITCODE) { throw 'Building bench/ImagePs.Bench failed.' }
}
$coreBench = Join-Path $PSScriptRoot 'ImagePs.Bench/bin/Release/net10.0/ImagePs.Bench.dll'
foreach ($tool in 'qemu-img', 'qemu-io') {
    if (-not (Get-Command $tool -ErrorAction Ignore)) { throw "$tool is required (Debian: apt-get install qemu-utils)." }
}
$prlimit = (Get-Command prlimit -ErrorAction Ignore)?.Source

$work = Join-Path ([IO.Path]::GetTempPath()) ('imageps-bench-' + [IO.Path]::GetRandomFileName())
New-Item -ItemType Directory -Path $work | Out-Null
try {
    $specs = @(
        @{ Name = 'disk.qcow2'; Driver = 'qcow2'; Size = '10G'; Options = @(); Write = 8 }
        @{ Name = 'sparse.vmdk'; Driver = 'vmdk'; Size = '10G'; Options = @(); Write = 8 }
        @{ Name = 'stream.vmdk'; Driver = 'vmdk'; Size = '10G'; Options = @('subformat=streamOptimized'); Write = 8 }
        @{ Name = 'dynamic.vhd'; Driver = 'vpc'; Size = '10G'; Options = @(); Write = 8 }
        @{ Name = 'fixed.vhd'; Driver = 'vpc'; Size = '1G'; Options = @('subformat=fixed'); Write = 8 }
        @{ Name = 'disk.vhdx'; Driver = 'vhdx'; Size = '10G'; Options = @(); Write = 8 }
        @{ Name = 'disk.vdi'; Driver = 'vdi'; Size = '10G'; Options = @(); Write = 8 }
        @{ Name = 'disk.raw'; Driver = 'raw'; Size = '1G'; Options = @(); Write = 8 }
    )
    foreach ($spec in $specs) {
        $path = Join-Path $work $spec.Name
        $create = @('create', '-q', '-f', $spec.Driver) + $(if ($spec.Options) { @('-o', ($spec.Options -join ',')) } else { @() }) + @($path, $spec.Size)
        & qemu-img @create
        if ($LASTEXITCODE) { throw "qemu-img create failed for $path" }
        & qemu-io -f $spec.Driver -c "write -P 0x5a 0 $($spec.Write)M" $path | Out-Null
        $spec.Path = $path
    }
    if (Get-Command xorriso -ErrorAction Ignore) {
        $content = New-Item -ItemType Directory -Path (Join-Path $work 'iso-content')
        Set-Content -LiteralPath (Join-Path $content 'readme.txt') -Value 'bench'
        $iso = Join-Path $work 'hybrid.iso'
        & xorriso -as mkisofs -quiet --protective-msdos-label -o $iso $content 2>$null
        $specs += @{ Name = 'hybrid.iso'; Driver = 'raw'; Path = $iso }
    }

    $benchArgs = @('inspect', $NativeCalls, $QemuCalls, $(if ($prlimit) { $prlimit } else { '' })) + @($specs | ForEach-Object { $_.Path; $_.Driver })
    $timings = @(& dotnet $coreBench @benchArgs | ForEach-Object { $_ | ConvertFrom-Json })
    if ($LASTEXITCODE -or $timings.Count -ne $specs.Count) { throw "ImagePs.Bench inspect failed (exit code $LASTEXITCODE)." }
    $rows = foreach ($timing in $timings) {
        [pscustomobject]@{
            File = $timing.file
            Detected = $timing.detected
            'Native µs/call' = [math]::Round($timing.nativeMicroseconds, 1)
            'qemu-img ms/call' = [math]::Round($timing.qemuMilliseconds, 2)
            'prlimit qemu-img ms/call' = if ($null -ne $timing.prlimitMilliseconds) { [math]::Round($timing.prlimitMilliseconds, 2) } else { 'n/a' }
            'qemu-img / native' = [int]($timing.qemuMilliseconds * 1000 / $timing.nativeMicroseconds)
            'prlimit / native' = if ($null -ne $timing.prlimitMilliseconds) { [int]($timing.prlimitMilliseconds * 1000 / $timing.nativeMicroseconds) } else { 'n/a' }
        }
    }

    $cpu = Get-CpuName
    Write-Host "Native inspection vs qemu-img info: $NativeCalls native calls and $QemuCalls qemu-img runs per file"
    Write-Host "$([Environment]::ProcessorCount) cores ($cpu), $([Runtime.InteropServices.RuntimeInformation]::OSDescription), $(& qemu-img --version | Select-Object -First 1)"
    $rows | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
    $geomean = { param($values) [math]::Exp(($values | ForEach-Object { [math]::Log($_) } | Measure-Object -Average).Average) }
    $native = & $geomean $rows.'Native µs/call'
    $qemu = & $geomean $rows.'qemu-img ms/call'
    Write-Host ("Geometric means: native {0:N1} µs/call, qemu-img info {1:N2} ms/call: qemu-img takes {2:N0}x the native inspector's time." -f $native, $qemu, ($qemu * 1000 / $native))
}
finally {
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction Ignore
}
