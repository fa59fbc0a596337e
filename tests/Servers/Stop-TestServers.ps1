#Requires -Version 7.4
<#
.SYNOPSIS
    Stops what Start-TestServers.ps1 started in the state folder and removes the folder.

.DESCRIPTION
    PostgreSQL is stopped with pg_ctl (fast mode); radosgw, the OSD and the monitor are stopped
    through the pid files in the state folder (TERM, then KILL after 30 s), nothing else. Safe to
    run when nothing is running. -Keep leaves the folder (logs) in place.
#>
[CmdletBinding()]
param(
    [string] $StateDirectory = (Join-Path ([IO.Path]::GetTempPath()) 'imageps-test-servers'),
    [switch] $Keep
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

function Test-Running {
    # A zombie (exited, never reaped: daemons' parent is gone) counts as stopped.
    param([int] $ProcessId)
    $status = "/proc/$ProcessId/status"
    if (-not (Test-Path -LiteralPath $status)) { return $false }
    -not ((Get-Content -LiteralPath $status -ErrorAction Ignore) -match '^State:\s+Z')
}

function Stop-ByPidFile {
    param([string] $PidFile)
    $text = Get-Content -LiteralPath $PidFile -Raw -ErrorAction Ignore
    $processId = 0
    if (-not $text -or -not [int]::TryParse($text.Trim(), [ref]$processId)) { return }
    if (-not (Test-Running $processId)) { return }
    & kill -TERM $processId 2>$null
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    while ((Test-Running $processId) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
    if (Test-Running $processId) { & kill -KILL $processId 2>$null }
}

if (-not (Test-Path -LiteralPath $StateDirectory)) { return }

$postgres = Join-Path $StateDirectory 'postgres'
$data = Join-Path $postgres 'data'
if (Test-Path -LiteralPath (Join-Path $data 'postmaster.pid')) {
    $pgCtl = Get-ChildItem -Path '/usr/lib/postgresql/*/bin/pg_ctl' -ErrorAction Ignore | Select-Object -First 1
    if ($pgCtl) {
        & timeout 60 runuser -u postgres -- $pgCtl.FullName -D $data -m fast -w stop 2>&1 | Out-Null
    }
}

# radosgw first (a client of the cluster), then the OSD, then the monitor.
$run = Join-Path $StateDirectory 'ceph/run'
foreach ($pattern in 'client.rgw.*.pid', 'osd.*.pid', 'mon.*.pid') {
    foreach ($file in Get-ChildItem -Path (Join-Path $run $pattern) -ErrorAction Ignore) { Stop-ByPidFile $file.FullName }
}

if (-not $Keep) { Remove-Item -LiteralPath $StateDirectory -Recurse -Force -ErrorAction Ignore }
