# The import tests' real web server (tests/ImagePs.TestWebServer, built by build.ps1 Build), for Pester:
#   . $PSScriptRoot/TestWebServer.ps1
#   $server = Start-TestWebServer -Root $folder     # $server.Url: 'http://127.0.0.1:PORT/'
#   ... Import-Image -Uri ($server.Url + 'disk.qcow2') ...
#   Stop-TestWebServer $server                       # in AfterAll
# Routes (drop, stall, norange, noetag, weaketag, changing, auth, rate, redirect, loop, status, count,
# log): see the header of tests/ImagePs.TestWebServer/Program.cs. The server also ends by itself when
# the pwsh that started it exits (its stdin closes).

function Get-TestWebServerPath {
    $bin = Join-Path $PSScriptRoot '../ImagePs.TestWebServer/bin'
    $built = @('Release', 'Debug' | ForEach-Object { Join-Path $bin "$_/net10.0/ImagePs.TestWebServer.dll" } | Where-Object { Test-Path -LiteralPath $_ })
    if (-not $built) { throw "The test web server is not built: run 'dotnet pwsh ./build.ps1 Build' (looked in $bin)." }
    # The newer build when both exist.
    ($built | Get-Item | Sort-Object LastWriteTimeUtc -Descending | Select-Object -First 1).FullName
}

function Start-TestWebServer {
    # Starts the server on 127.0.0.1 (a free port) serving -Root; returns @{ Url; OtherOriginUrl; Process }.
    param([Parameter(Mandatory)] [string] $Root)
    $start = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    $start.ArgumentList.Add((Get-TestWebServerPath))
    $start.ArgumentList.Add((Resolve-Path -LiteralPath $Root).Path)
    $start.RedirectStandardInput = $true
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($start)
    $read = $process.StandardOutput.ReadLineAsync()
    if (-not $read.Wait([TimeSpan]::FromSeconds(60)) -or $read.Result -notmatch '^Listening on (http://\S+)$') {
        $line = if ($read.IsCompleted) { $read.Result } else { '(nothing within 60 s)' }
        Stop-TestWebServer ([pscustomobject]@{ Process = $process })
        throw "The test web server did not start: $line"
    }
    $url = $Matches[1].TrimEnd('/') + '/'
    [pscustomobject]@{
        Url            = $url
        OtherOriginUrl = $url -replace '^http://127\.0\.0\.1:', 'http://localhost:'
        Process        = $process
    }
}

function Stop-TestWebServer {
    param([Parameter(Mandatory, Position = 0)] $Server)
    $process = $Server.Process
    if (-not $process) { return }
    try {
        if (-not $process.HasExited) {
            $process.Kill($true)
            $process.WaitForExit(10000) | Out-Null
        }
    }
    catch [System.InvalidOperationException] { }
}

function Get-TestWebServerLog {
    # Every request the server saw (method, path, host, range, ifRange, authorization), oldest first.
    param([Parameter(Mandatory, Position = 0)] $Server)
    $entries = Invoke-RestMethod -Uri ($Server.Url + 'log') -NoProxy
    foreach ($entry in $entries) { $entry }
}

function Get-TestWebServerBytesServed {
    # Body bytes the server sent for one request path, e.g. '/drop/1000/2/disk.qcow2'.
    param([Parameter(Mandatory, Position = 0)] $Server, [Parameter(Mandatory)] [string] $Path)
    [long](Invoke-RestMethod -Uri ($Server.Url + 'count?path=' + [uri]::EscapeDataString($Path)) -NoProxy)
}
