#Requires -Version 7.4
<#
.SYNOPSIS
    Catalog scale: how fast New-Image creates records and Get-Image finds them among 100k.

.DESCRIPTION
    In a temporary repository:
      1. creates -CreateCount images through one pipeline, as a runbook would:
         1..N | ForEach-Object { [pscustomobject]@{ Name = "img$_" } } | New-Image
      2. fills the catalog up to -TotalCount with bench/ImagePs.Bench (the core service, every layer)
         — each image has a batch tag (100 batches), an os_distro property (10 values); one in 1000
         is tagged "rare", one in 100 is an ova container, one in 20 is Active with a size, a virtual
         size, an MD5 and a SHA-512 as an upload records them;
      3. times Get-Image by id, by a name wildcard, by tag, by status, by property, and a full
         listing streamed to Measure-Object (median of -Runs), with this process's peak memory growth
         during the full listing (Linux VmHWM).
    Glance 25.1 on the same kind of machine, over its HTTP API: 1000 records created in 32.7 s,
    1000 listed in 0.43 s.

.EXAMPLE
    dotnet pwsh bench/Catalog.ps1
.EXAMPLE
    dotnet pwsh bench/Catalog.ps1 -CreateCount 2000 -TotalCount 20000 -Runs 3
#>
[CmdletBinding()]
param(
    [int] $CreateCount = 10000,
    [int] $TotalCount = 100000,
    [int] $Runs = 5,
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

$repository = Join-Path ([IO.Path]::GetTempPath()) ('imageps-catalog-bench-' + [IO.Path]::GetRandomFileName())
$env:IMAGEPS_HOME = $repository
Import-Module (Join-Path $Root 'ImagePs.psd1') -Force

Write-Host "Creating $CreateCount images through one New-Image pipeline..."
$create = Measure-Command { 1..$CreateCount | ForEach-Object { [pscustomobject]@{ Name = "img$_" } } | New-Image }
Write-Host ("  {0:N0} records/s" -f ($CreateCount / $create.TotalSeconds))

Write-Host "Filling the catalog to $TotalCount images (core service)..."
$fill = & dotnet $coreBench fill $repository ($CreateCount + 1) ($TotalCount - $CreateCount) | ConvertFrom-Json
Write-Host ("  {0:N0} records/s" -f $fill.perSecond)

$some = Get-Image -Name "img$([int]($TotalCount * 0.7))"
$someId = $some.Id
$owner = $some.Owner
$middle = $some.CreatedAt
$active = Get-Image -Status Active -First 1
$someChecksum = if ($active.Checksum) { $active.Checksum } else { '0' * 32 }
$someHash = if ($active.OsHashValue) { $active.OsHashValue } else { '0' * 128 }
$queries = [ordered]@{
    'by id'                        = { Get-Image -Id $someId }
    'by name wildcard (img4242*)'  = { Get-Image -Name 'img4242*' }
    'by tag (rare)'                = { Get-Image -Tag rare }
    'by status (Active)'           = { Get-Image -Status Active }
    'by property (os_distro=arch)' = { Get-Image -Property @{ os_distro = 'arch' } }
    'full listing'                 = { Get-Image }
    # Issue 12: the newest by name, and each new filter with -First 100 (goal < 50 ms each).
    'newest by name, Active -First 1' = { Get-Image -Name $active.Name -Status Active -SortBy CreatedAt -Descending -First 1 }
    'owner -First 100'             = { Get-Image -Owner $owner -First 100 }
    'container ova -First 100'     = { Get-Image -ContainerFormat ova -First 100 }
    'protected -First 100'         = { Get-Image -Protected $false -First 100 }
    'min size -First 100'          = { Get-Image -MinSize 1 -First 100 }
    'max size -First 100'          = { Get-Image -MaxSize 1TB -First 100 }
    'min virtual size -First 100'  = { Get-Image -MinVirtualSize 1 -First 100 }
    'max virtual size -First 100'  = { Get-Image -MaxVirtualSize 1TB -First 100 }
    'created after -First 100'     = { Get-Image -CreatedAfter $middle -First 100 }
    'created before -First 100'    = { Get-Image -CreatedBefore $middle -First 100 }
    'updated after -First 100'     = { Get-Image -UpdatedAfter $middle -First 100 }
    'updated before -First 100'    = { Get-Image -UpdatedBefore $middle -First 100 }
    'updated after, by updated -First 100' = { Get-Image -UpdatedAfter $middle -SortBy UpdatedAt -First 100 }
    'checksum -First 100'          = { Get-Image -Checksum $someChecksum -First 100 }
    'os hash -First 100'           = { Get-Image -OsHashValue $someHash -First 100 }
    'tag wildcard (batch-4*) -First 100' = { Get-Image -Tag 'batch-4*' -First 100 }
    'sort by created desc -First 100' = { Get-Image -SortBy CreatedAt -Descending -First 100 }
    'sort by updated -First 100'   = { Get-Image -SortBy UpdatedAt -First 100 }
    'sort by name -First 100'      = { Get-Image -SortBy Name -First 100 }
    'sort by size desc -First 100' = { Get-Image -SortBy Size -Descending -First 100 }
    'sort by virtual size -First 100' = { Get-Image -SortBy VirtualSize -First 100 }
    'sort by status -First 100'    = { Get-Image -SortBy Status -First 100 }
}
$rows = foreach ($name in $queries.Keys) {
    $count = 0
    $times = foreach ($run in 1..$Runs) {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $count = (& $queries[$name] | Measure-Object).Count
        $watch.Stop()
        $watch.Elapsed.TotalMilliseconds
    }
    [pscustomobject]@{ Query = $name; Images = $count; 'Median ms' = [Math]::Round((Get-Median $times), 1) }
}

# Memory of a full listing: streamed, so the peak does not grow with the catalog.
[GC]::Collect()
if (Test-Path "/proc/$PID/clear_refs") { [IO.File]::WriteAllText("/proc/$PID/clear_refs", '5') }
$before = Get-ProcessMemory 'VmRSS:'
$listed = (Get-Image | Measure-Object).Count
$growth = ((Get-ProcessMemory 'VmHWM:') - $before) / 1MB

Write-Host ("`n{0:N0} images; {1} cores; median of {2} runs" -f $listed, [Environment]::ProcessorCount, $Runs)
Write-Host ("Create through New-Image: {0:N0} records/s ({1:N1} s for {2:N0}); Glance 25.1: 1000 in 32.7 s = 31 records/s" -f
    ($CreateCount / $create.TotalSeconds), $create.TotalSeconds, $CreateCount)
$rows | Format-Table -AutoSize | Out-String -Width 160 | Write-Host
Write-Host ("Full listing of {0:N0}: peak memory growth {1:N1} MiB (streamed). Glance 25.1: 1000 listed in 430 ms." -f $listed, $growth)

Remove-Module ImagePs
Remove-Item -LiteralPath $repository -Recurse -Force -ErrorAction Ignore
