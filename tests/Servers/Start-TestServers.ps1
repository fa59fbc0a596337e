#Requires -Version 7.4
<#
.SYNOPSIS
    Starts the servers the server-backed tests run against: PostgreSQL and a single-node Ceph RGW
    (an S3 API), both on 127.0.0.1, in a private state folder.

.DESCRIPTION
    Needs root on Linux. What the machine lacks is installed with apt-get: ceph-mon, ceph-osd,
    radosgw and ceph-common (about 25 s), and postgresql when no /usr/lib/postgresql/*/bin/initdb
    exists. Then:

      PostgreSQL  initdb as user postgres (trust on the socket, scram-sha-256 over TCP), pg_ctl on
                  127.0.0.1:<PostgresPort> with its socket in the state folder; a role and a
                  database imageps_test with a random password. fsync is off: the data is thrown
                  away at the end.
      Ceph        one monitor, one BlueStore OSD on a sparse file, radosgw with the beast frontend
                  on 127.0.0.1:<RgwPort>, an S3 user with random keys, and a first bucket and PUT
                  (RGW creates its pools on first use, which takes a few seconds). Every messenger
                  mode is crc: with authentication off, radosgw hangs otherwise.

    Every step runs under a time limit. Servers left by an earlier run in the same state folder are
    stopped first. Returns an object with Available, Reason, PostgreSql (ConnectionString for Npgsql,
    ConnInfo for psql) and S3 (ServiceUrl, AccessKey, SecretKey, and the keys of a user that may not
    create buckets), and writes it to servers.json in the state folder. When the servers cannot be
    started, Available is false and Reason says why.

.EXAMPLE
    $servers = ./tests/Servers/Start-TestServers.ps1
    try { ... } finally { ./tests/Servers/Stop-TestServers.ps1 }
#>
[CmdletBinding()]
param(
    [string] $StateDirectory = (Join-Path ([IO.Path]::GetTempPath()) 'imageps-test-servers'),
    [int] $PostgresPort = 5432,
    [int] $RgwPort = 7480,
    [int] $MonitorPort = 3300,
    [int] $MonitorLegacyPort = 6789
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

function Invoke-Step {
    # Runs a native command under `timeout`; throws with its output when it fails or times out.
    param([Parameter(Mandatory)] [string] $FilePath, [string[]] $ArgumentList = @(), [int] $TimeoutSeconds = 60, [string] $User)
    $command = @('timeout', '--kill-after=5', "$TimeoutSeconds", $FilePath) + $ArgumentList
    if ($User) { $command = @('runuser', '-u', $User, '--') + $command }
    $output = & $command[0] $command[1..($command.Count - 1)] 2>&1 | Out-String
    if ($LASTEXITCODE -eq 124) { throw "'$FilePath' did not finish within $TimeoutSeconds s: $output" }
    if ($LASTEXITCODE -ne 0) { throw "'$FilePath $($ArgumentList -join ' ')' failed with exit code ${LASTEXITCODE}: $output" }
    $output
}

function New-Secret {
    param([int] $Length = 24, [string] $Alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789')
    -join (1..$Length | ForEach-Object { $Alphabet[[System.Security.Cryptography.RandomNumberGenerator]::GetInt32($Alphabet.Length)] })
}

function Install-Packages {
    param([string[]] $Packages)
    Write-Host "Installing $($Packages -join ', ') with apt-get..."
    $env:DEBIAN_FRONTEND = 'noninteractive'
    Invoke-Step apt-get @('update', '-qq') -TimeoutSeconds 300 | Out-Null
    Invoke-Step apt-get (@('install', '-y', '-qq', '--no-install-recommends') + $Packages) -TimeoutSeconds 600 | Out-Null
}

function Find-PostgresBin {
    $initdb = Get-ChildItem -Path '/usr/lib/postgresql/*/bin/initdb' -ErrorAction Ignore |
        Sort-Object { [int]($_.FullName -replace '^/usr/lib/postgresql/(\d+)/.*$', '$1') } -Descending |
        Select-Object -First 1
    if ($initdb) { $initdb.DirectoryName }
}

function Wait-Port {
    # True once something accepts TCP connections on 127.0.0.1:$Port.
    param([int] $Port, [int] $TimeoutSeconds)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ([DateTime]::UtcNow -lt $deadline) {
        $client = [System.Net.Sockets.TcpClient]::new()
        try {
            if ($client.ConnectAsync('127.0.0.1', $Port).Wait(1000) -and $client.Connected) { return $true }
        }
        catch { }
        finally { $client.Dispose() }
        Start-Sleep -Milliseconds 250
    }
    $false
}

function Start-PostgreSql {
    param([string] $Root)
    $bin = Find-PostgresBin
    if (-not $bin) {
        Install-Packages @('postgresql')
        $bin = Find-PostgresBin
        if (-not $bin) { throw 'PostgreSQL was installed but no initdb was found under /usr/lib/postgresql.' }
        # The package may have started its own cluster; ours gets its own data folder and port.
        & pg_ctlcluster --force (Split-Path (Split-Path $bin)) main stop 2>$null
    }
    $data = Join-Path $Root 'data'
    New-Item -ItemType Directory -Path $data -Force | Out-Null
    & chown -R postgres: $Root
    Invoke-Step "$bin/initdb" @('-D', $data, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8') -User postgres | Out-Null
    $options = "-k $Root -c listen_addresses=127.0.0.1 -p $PostgresPort -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    Invoke-Step "$bin/pg_ctl" @('-D', $data, '-l', (Join-Path $Root 'postgres.log'), '-w', '-t', '60', '-o', $options, 'start') -User postgres -TimeoutSeconds 90 | Out-Null

    $password = New-Secret
    $psql = @('-h', $Root, '-p', "$PostgresPort", '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-q')
    Invoke-Step "$bin/psql" ($psql + @('-c', "CREATE ROLE imageps_test LOGIN PASSWORD '$password'", '-c', 'CREATE DATABASE imageps_test OWNER imageps_test')) -User postgres | Out-Null
    [pscustomobject]@{
        ConnectionString = "Host=127.0.0.1;Port=$PostgresPort;Database=imageps_test;Username=imageps_test;Password=$password"
        ConnInfo         = "host=127.0.0.1 port=$PostgresPort dbname=imageps_test user=imageps_test password=$password"
        Bin              = $bin
    }
}

function Start-Ceph {
    param([string] $Root)
    $missing = @('ceph-mon', 'ceph-osd', 'radosgw', 'radosgw-admin', 'ceph', 'monmaptool') | Where-Object { -not (Get-Command $_ -ErrorAction Ignore) }
    if ($missing) { Install-Packages @('ceph-mon', 'ceph-osd', 'radosgw', 'ceph-common') }
    foreach ($folder in 'run', 'log', 'mon', 'osd', 'rgw') { New-Item -ItemType Directory -Path (Join-Path $Root $folder) -Force | Out-Null }

    $fsid = [guid]::NewGuid().ToString()
    $monitor = "[v2:127.0.0.1:${MonitorPort},v1:127.0.0.1:${MonitorLegacyPort}]"
    $conf = Join-Path $Root 'ceph.conf'
    Set-Content -LiteralPath $conf -Value @"
[global]
fsid = $fsid
mon host = $monitor
mon initial members = a
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
ms client mode = crc
ms cluster mode = crc
ms service mode = crc
ms mon cluster mode = crc
ms mon service mode = crc
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon data avail warn = 2
run dir = $Root/run
pid file = $Root/run/`$name.pid
admin socket = $Root/run/`$name.asok
log file = $Root/log/`$name.log
keyring = /dev/null
[mon]
mon data = $Root/mon/`$cluster-`$id
[osd]
osd data = $Root/osd/`$cluster-`$id
osd objectstore = bluestore
bluestore block create = true
bluestore block size = 17179869184
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$RgwPort
rgw data = $Root/rgw
# Deleted objects and aborted uploads are garbage-collected within a minute, not after two hours:
# the tests write and delete a few GiB in a 16 GiB OSD.
rgw gc obj min wait = 30
rgw gc processor period = 30
"@
    $c = @('-c', $conf)
    $monmap = Join-Path $Root 'run/monmap'
    Invoke-Step monmaptool @('--create', '--addv', 'a', $monitor, '--fsid', $fsid, $monmap) | Out-Null
    Invoke-Step ceph-mon ($c + @('--mkfs', '-i', 'a', '--monmap', $monmap)) | Out-Null
    Invoke-Step ceph-mon ($c + @('-i', 'a')) | Out-Null

    $osdUuid = [guid]::NewGuid().ToString()
    $osdId = (Invoke-Step ceph ($c + @('osd', 'new', $osdUuid))).Trim()
    New-Item -ItemType Directory -Path (Join-Path $Root "osd/ceph-$osdId") -Force | Out-Null
    Invoke-Step ceph-osd ($c + @('-i', $osdId, '--mkfs', '--osd-uuid', $osdUuid)) -TimeoutSeconds 120 | Out-Null
    Invoke-Step ceph-osd ($c + @('-i', $osdId)) | Out-Null

    Invoke-Step radosgw ($c + @('-n', 'client.rgw.a')) -TimeoutSeconds 120 | Out-Null
    if (-not (Wait-Port -Port $RgwPort -TimeoutSeconds 120)) { throw "radosgw did not listen on 127.0.0.1:$RgwPort within 120 s (see $Root/log)." }

    $accessKey = New-Secret -Length 20 -Alphabet 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
    $secretKey = New-Secret -Length 40
    Invoke-Step radosgw-admin ($c + @('-n', 'client.admin', 'user', 'create', '--uid=imageps-test', '--display-name=ImagePs tests',
            "--access-key=$accessKey", "--secret-key=$secretKey")) | Out-Null
    # A second user that may not create buckets (negative --max-buckets), for the "bucket cannot be created" case.
    $limitedAccessKey = New-Secret -Length 20 -Alphabet 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
    $limitedSecretKey = New-Secret -Length 40
    Invoke-Step radosgw-admin ($c + @('-n', 'client.admin', 'user', 'create', '--uid=imageps-test-limited', '--display-name=ImagePs tests, no buckets',
            '--max-buckets=-1', "--access-key=$limitedAccessKey", "--secret-key=$limitedSecretKey")) | Out-Null

    # The first bucket and the first PUT make RGW create its pools: a few seconds, once, here.
    $url = "http://127.0.0.1:$RgwPort"
    $sign = @('--aws-sigv4', 'aws:amz:us-east-1:s3', '--user', "${accessKey}:$secretKey", '-H', 'x-amz-content-sha256: UNSIGNED-PAYLOAD', '-s', '-f', '-o', '/dev/null')
    $warm = Join-Path $Root 'warm-up'
    Set-Content -LiteralPath $warm -Value 'warm-up'
    Invoke-Step curl ($sign + @('-X', 'PUT', "$url/imageps-warm-up")) -TimeoutSeconds 120 | Out-Null
    Invoke-Step curl ($sign + @('-T', $warm, "$url/imageps-warm-up/object")) -TimeoutSeconds 120 | Out-Null
    Invoke-Step curl ($sign + @('-X', 'DELETE', "$url/imageps-warm-up/object")) | Out-Null
    Invoke-Step curl ($sign + @('-X', 'DELETE', "$url/imageps-warm-up")) | Out-Null
    [pscustomobject]@{
        ServiceUrl = $url; AccessKey = $accessKey; SecretKey = $secretKey
        LimitedAccessKey = $limitedAccessKey; LimitedSecretKey = $limitedSecretKey; Conf = $conf
    }
}

$result = [pscustomobject]@{ Available = $false; Reason = $null; StateDirectory = $StateDirectory; PostgreSql = $null; S3 = $null }
if (-not $IsLinux) {
    $result.Reason = 'the test servers are started on Linux only'
}
elseif ((& id -u) -ne '0') {
    $result.Reason = 'starting PostgreSQL and Ceph RGW needs root (apt-get, runuser, daemons)'
}
elseif (-not (Get-Command apt-get -ErrorAction Ignore)) {
    $result.Reason = 'apt-get is needed to install Ceph (Debian or Ubuntu)'
}
else {
    $stop = Join-Path $PSScriptRoot 'Stop-TestServers.ps1'
    & $stop -StateDirectory $StateDirectory
    $clock = [Diagnostics.Stopwatch]::StartNew()
    try {
        if (-not (Get-Command curl -ErrorAction Ignore)) { Install-Packages @('curl') }
        New-Item -ItemType Directory -Path $StateDirectory -Force | Out-Null
        & chmod 0755 $StateDirectory
        $result.PostgreSql = Start-PostgreSql -Root (Join-Path $StateDirectory 'postgres')
        Write-Host "PostgreSQL listening on 127.0.0.1:$PostgresPort ($([int]$clock.Elapsed.TotalSeconds) s)"
        $result.S3 = Start-Ceph -Root (Join-Path $StateDirectory 'ceph')
        Write-Host "Ceph RGW listening on $($result.S3.ServiceUrl) ($([int]$clock.Elapsed.TotalSeconds) s)"
        $result.Available = $true
    }
    catch {
        $result.Reason = "the test servers could not be started: $($_.Exception.Message)"
        & $stop -StateDirectory $StateDirectory -Keep
    }
}

if (-not $result.Available) { Write-Warning "Server-backed tests (PostgreSQL + S3): $($result.Reason)" }
if (Test-Path -LiteralPath $StateDirectory) {
    $result | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath (Join-Path $StateDirectory 'servers.json')
}
$result
