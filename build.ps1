#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests and demonstrates ImagePs.

.DESCRIPTION
    Tasks:
      Build  (default) publish the cmdlets and their dependencies into module/bin, so that
             `Import-Module ./ImagePs.psd1` loads the built module.
      Test   build, start PostgreSQL and a single-node Ceph RGW (tests/Servers; needs root, installs
             Ceph with apt-get), run every suite (xunit for the core, Pester for the module in a
             fresh pwsh; the contract tests against SQLite + files and PostgreSQL + S3), stop the
             servers, list what failed, and print one line `Tests: N passed, N failed, N skipped`. A test
             discovered but not run counts as failed. Exits non-zero on any failure.
      Package
             build, then pack the module into out/package/ImagePs.<version>.nupkg, which
             Install-PSResource installs from a folder repository (see README, Packaging).
      Demo   build, make a few small disk images with qemu-img in a temp folder, ingest them with
             `Get-ChildItem | New-Image | Send-ImageData` into a temp repository, show an unsafe
             image being refused, show the catalog.
      Clean  remove build output and downloaded test tools.

    What a fresh machine lacks is installed here: Pester from NuGet into .tools/, and qemu-utils and
    xorriso and gdisk through apt-get when running as root on Debian/Ubuntu (otherwise a message says what to
    install); tests/Servers/Start-TestServers.ps1 installs Ceph (and PostgreSQL when missing).

.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 Test
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Test', 'Package', 'Demo', 'Clean')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$Root = $PSScriptRoot
$ModuleBin = Join-Path $Root 'module/bin'
$HelpOutput = Join-Path $Root 'en-US'
$PackageOutput = Join-Path $Root 'out/package'
$Tools = Join-Path $Root '.tools'
$Results = Join-Path $Root 'TestResults'
$ServerState = Join-Path ([IO.Path]::GetTempPath()) 'imageps-test-servers'
$PesterVersion = '5.7.1'

function Invoke-Native {
    # Runs a native command and stops the build when it fails.
    param([Parameter(Mandatory)] [string] $FilePath, [string[]] $ArgumentList = @())
    & $FilePath @ArgumentList | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "'$FilePath $($ArgumentList -join ' ')' failed with exit code $LASTEXITCODE." }
}

function Get-PwshPath {
    # The pwsh running this script (a local dotnet tool, or an installed PowerShell).
    foreach ($name in 'pwsh', 'pwsh.exe') {
        $candidate = Join-Path $PSHOME $name
        if (Test-Path -LiteralPath $candidate -PathType Leaf) { return $candidate }
    }
    throw "No pwsh executable found in $PSHOME."
}

function Install-QemuUtils {
    # qemu-img/qemu-io make and check the test images; xorriso makes the test ISOs; sgdisk the partitioned disks.
    $missing = @(@{ Tool = 'qemu-img'; Package = 'qemu-utils' }, @{ Tool = 'xorriso'; Package = 'xorriso' }, @{ Tool = 'sgdisk'; Package = 'gdisk' } |
        Where-Object { -not (Get-Command $_.Tool -ErrorAction Ignore) })
    if (-not $missing) { return }
    $packages = @($missing | ForEach-Object { $_.Package })
    $isRoot = $IsLinux -and ((& id -u) -eq '0')
    if ($isRoot -and (Get-Command apt-get -ErrorAction Ignore)) {
        Write-Host "Installing $($packages -join ', ') with apt-get..."
        $env:DEBIAN_FRONTEND = 'noninteractive'
        Invoke-Native apt-get @('update', '-qq')
        Invoke-Native apt-get (@('install', '-y', '-qq') + $packages)
        return
    }
    throw ("$($missing.Tool -join ' and ') required here and not found. Install them, then run again: " +
        "Debian/Ubuntu: sudo apt-get install $($packages -join ' '); Fedora: sudo dnf install qemu-img xorriso gdisk; " +
        'macOS: brew install qemu xorriso gptfdisk; Windows: install QEMU, xorriso and gdisk and add their folders to PATH.')
}

function Install-Pester {
    $manifest = Join-Path $Tools "pester/$PesterVersion/tools/Pester.psd1"
    if (-not (Test-Path -LiteralPath $manifest)) {
        Write-Host "Downloading Pester $PesterVersion from NuGet..."
        Invoke-Native dotnet @('package', 'download', "Pester@$PesterVersion", '-o', $Tools)
    }
    $manifest
}

function Invoke-Build {
    # module/bin holds the cmdlets and the loader only; the engine and all its dependencies go to
    # module/bin/core, loaded into a load context of their own (src/ImagePs.Loader). A stale file from
    # an older layout would be found by PowerShell first, so the folder is rebuilt from nothing.
    Remove-Item -LiteralPath $ModuleBin -Recurse -Force -ErrorAction Ignore
    $staging = Join-Path $Root 'obj/module-staging'
    Remove-Item -LiteralPath $staging -Recurse -Force -ErrorAction Ignore
    Invoke-Native dotnet @('publish', (Join-Path $Root 'src/ImagePs/ImagePs.csproj'), '-c', $Configuration, '-o', $staging, '--nologo', '-v', 'quiet')
    New-Item -ItemType Directory -Path $ModuleBin | Out-Null
    Copy-Item -Path (Join-Path $staging 'ImagePs.dll'), (Join-Path $staging 'ImagePs.pdb') -Destination $ModuleBin
    Invoke-Native dotnet @('publish', (Join-Path $Root 'src/ImagePs.Loader/ImagePs.Loader.csproj'), '-c', $Configuration, '-o', $staging, '--nologo', '-v', 'quiet')
    Copy-Item -Path (Join-Path $staging 'ImagePs.Loader.dll'), (Join-Path $staging 'ImagePs.Loader.pdb') -Destination $ModuleBin
    Invoke-Native dotnet @('publish', (Join-Path $Root 'src/ImagePs.Core/ImagePs.Core.csproj'), '-c', $Configuration, '-o', (Join-Path $ModuleBin 'core'), '--nologo', '-v', 'quiet')
    Write-Host "Built module: $(Join-Path $Root 'ImagePs.psd1') -> $ModuleBin"
    # The import tests' web server (tests/Pester/TestWebServer.ps1 starts it from its bin folder).
    Invoke-Native dotnet @('build', (Join-Path $Root 'tests/ImagePs.TestWebServer/ImagePs.TestWebServer.csproj'), '-c', $Configuration, '--nologo', '-v', 'quiet')
    # Help is built from module/help by importing the module just built: in a fresh pwsh, so this
    # session never loads the assembly.
    Invoke-Native (Get-PwshPath) @('-NoProfile', '-NonInteractive', '-File', (Join-Path $Root 'src/Build/Build-ModuleHelp.ps1'),
        '-ManifestPath', (Join-Path $Root 'ImagePs.psd1'), '-SourcePath', (Join-Path $Root 'module/help'), '-OutputPath', $HelpOutput)
}

function Invoke-Package {
    Invoke-Build
    $version = (Import-PowerShellDataFile -LiteralPath (Join-Path $Root 'ImagePs.psd1')).ModuleVersion
    Invoke-Native (Get-PwshPath) @('-NoProfile', '-NonInteractive', '-File', (Join-Path $Root 'src/Build/New-ModulePackage.ps1'),
        '-SourceRoot', $Root, '-DestinationPath', $PackageOutput)
    Write-Host "Package: $(Join-Path $PackageOutput "ImagePs.$version.nupkg")"
}

function Get-XunitDeclaredTests {
    # The test methods xunit discovers in the built assembly (theory rows collapsed to their method).
    $listing = & dotnet test (Join-Path $Root 'tests/ImagePs.Core.Tests/ImagePs.Core.Tests.csproj') -c $Configuration `
        --nologo --no-build --list-tests 2>&1
    $started = $false
    $names = foreach ($line in $listing) {
        if ($started -and $line -match '^\s{4}(\S.*)$') { ($Matches[1] -split '\(', 2)[0].Trim() }
        elseif ($line -match 'The following Tests are available') { $started = $true }
    }
    @($names | Sort-Object -Unique)
}

function Invoke-XunitSuite {
    # Returns @{ Passed; Failed; Skipped; FailedNames } read from the run's TRX file. A test method
    # discovered but absent from the results (a crashed or aborted test host) counts as failed.
    $trx = Join-Path $Results 'core.trx'
    Remove-Item -LiteralPath $trx -ErrorAction Ignore
    & dotnet test (Join-Path $Root 'tests/ImagePs.Core.Tests/ImagePs.Core.Tests.csproj') -c $Configuration --nologo `
        --logger "trx;LogFileName=$trx" --logger 'console;verbosity=normal' --results-directory $Results | Out-Host
    $exitCode = $LASTEXITCODE
    if (-not (Test-Path -LiteralPath $trx)) {
        Write-Host "xunit produced no results (dotnet test exit code $exitCode)."
        return @{ Passed = 0; Failed = 1; Skipped = 0; FailedNames = @("xunit produced no results (exit code $exitCode)") }
    }
    $run = ([xml](Get-Content -LiteralPath $trx -Raw)).TestRun
    $counters = $run.ResultSummary.Counters
    $failed = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
    $results = @($run.Results.UnitTestResult)
    $failedNames = @($results | Where-Object outcome -NE 'Passed' | Where-Object outcome -NE 'NotExecuted' |
        ForEach-Object { "$($_.testName) ($($_.outcome))" })
    $ran = @($results | ForEach-Object { ($_.testName -split '\(', 2)[0].Trim() } | Sort-Object -Unique)
    $declared = Get-XunitDeclaredTests
    $missing = @($declared | Where-Object { $ran -notcontains $_ })
    if ($declared.Count -eq 0) { $missing = @('no xunit test was discovered') }
    $failed += $missing.Count
    $failedNames += @($missing | ForEach-Object { "$_ (discovered, not run)" })
    if ($exitCode -ne 0 -and $failed -eq 0) {
        $failed = 1
        $failedNames += "dotnet test exited with $exitCode"
    }
    @{ Passed = [int]$counters.passed; Failed = $failed; Skipped = [int]$counters.notExecuted; FailedNames = $failedNames }
}

function Invoke-PesterSuite {
    # Runs Pester in a fresh pwsh (a clean session, as a user's) and reads its counts back.
    $pester = Install-Pester
    $summary = Join-Path $Results 'pester-summary.json'
    Remove-Item -LiteralPath $summary -ErrorAction Ignore
    & (Get-PwshPath) -NoProfile -NonInteractive -File (Join-Path $Root 'tests/Invoke-PesterSuite.ps1') `
        -PesterManifest $pester -TestPath (Join-Path $Root 'tests/Pester') -SummaryPath $summary `
        -ResultPath (Join-Path $Results 'pester.xml') | Out-Host
    $exitCode = $LASTEXITCODE
    if (-not (Test-Path -LiteralPath $summary)) {
        Write-Host "Pester produced no results (exit code $exitCode)."
        return @{ Passed = 0; Failed = 1; Skipped = 0; FailedNames = @("Pester produced no results (exit code $exitCode)") }
    }
    $counts = Get-Content -LiteralPath $summary -Raw | ConvertFrom-Json
    @{ Passed = [int]$counts.Passed; Failed = [int]$counts.Failed; Skipped = [int]$counts.Skipped; FailedNames = @($counts.FailedNames) }
}

function Start-TestServers {
    # PostgreSQL and Ceph RGW for the server-backed tests (tests/Servers), handed to both suites through
    # the environment. As root (CI) they are part of the gate: IMAGEPS_REQUIRE_SERVERS=1 makes those
    # tests fail, not skip, when the servers are missing. A value the caller set is kept.
    $servers = & (Join-Path $Root 'tests/Servers/Start-TestServers.ps1') -StateDirectory $ServerState
    if ($null -eq $env:IMAGEPS_REQUIRE_SERVERS -and $IsLinux -and (& id -u) -eq '0') { $env:IMAGEPS_REQUIRE_SERVERS = '1' }
    if ($servers.Available) {
        $env:IMAGEPS_TEST_POSTGRESQL = $servers.PostgreSql.ConnectionString
        $env:IMAGEPS_TEST_POSTGRESQL_CONNINFO = $servers.PostgreSql.ConnInfo
        $env:IMAGEPS_TEST_S3_URL = $servers.S3.ServiceUrl
        $env:IMAGEPS_TEST_S3_ACCESS_KEY = $servers.S3.AccessKey
        $env:IMAGEPS_TEST_S3_SECRET_KEY = $servers.S3.SecretKey
        $env:IMAGEPS_TEST_S3_LIMITED_ACCESS_KEY = $servers.S3.LimitedAccessKey
        $env:IMAGEPS_TEST_S3_LIMITED_SECRET_KEY = $servers.S3.LimitedSecretKey
    }
    else {
        $env:IMAGEPS_TEST_SERVERS_UNAVAILABLE = $servers.Reason
        $verb = if ($env:IMAGEPS_REQUIRE_SERVERS -eq '1') { 'FAIL' } else { 'be SKIPPED' }
        Write-Warning "The PostgreSQL + S3 tests will ${verb}: $($servers.Reason)"
    }
}

function Invoke-Test {
    Install-QemuUtils
    Invoke-Build
    New-Item -ItemType Directory -Force -Path $Results | Out-Null
    Start-TestServers
    try {
        $xunit = Invoke-XunitSuite
        $pester = Invoke-PesterSuite
    }
    finally {
        & (Join-Path $Root 'tests/Servers/Stop-TestServers.ps1') -StateDirectory $ServerState
    }
    $passed = $xunit.Passed + $pester.Passed
    $failed = $xunit.Failed + $pester.Failed
    $skipped = $xunit.Skipped + $pester.Skipped
    Write-Host ''
    Write-Host "xunit: $($xunit.Passed) passed, $($xunit.Failed) failed, $($xunit.Skipped) skipped; Pester: $($pester.Passed) passed, $($pester.Failed) failed, $($pester.Skipped) skipped"
    foreach ($name in @($xunit.FailedNames) + @($pester.FailedNames)) { Write-Host "  failed: $name" }
    Write-Host "Tests: $passed passed, $failed failed, $skipped skipped"
    if ($failed -gt 0) { exit 1 }
}

function New-DemoImage {
    param([string] $Format, [string] $Path, [string] $Size, [int] $WriteMiB, [string[]] $Options = @())
    $create = @('create', '-q', '-f', $Format) + $(if ($Options) { @('-o', ($Options -join ',')) } else { @() }) + @($Path, $Size)
    Invoke-Native qemu-img $create
    if ($WriteMiB -gt 0) {
        & qemu-io -f $Format -c "write -P 0x5a 0 ${WriteMiB}M" $Path | Out-Null
        if ($LASTEXITCODE -ne 0) { throw "qemu-io could not write data into $Path." }
    }
}

function Invoke-Demo {
    Install-QemuUtils
    Invoke-Build
    $work = Join-Path ([IO.Path]::GetTempPath()) ("imageps-demo-" + [IO.Path]::GetRandomFileName())
    $images = New-Item -ItemType Directory -Path (Join-Path $work 'images')
    $repository = Join-Path $work 'repository'

    Write-Host "Making disk images with qemu-img in $images"
    New-DemoImage qcow2 (Join-Path $images 'debian-12.qcow2') 2G 24
    New-DemoImage vmdk (Join-Path $images 'windows-2022.vmdk') 1G 8
    New-DemoImage vhdx (Join-Path $images 'appliance.vhdx') 512M 4
    New-DemoImage vpc (Join-Path $images 'legacy.vhd') 256M 2 @('force_size=on')
    New-DemoImage raw (Join-Path $images 'rescue.img') 32M 32

    $env:IMAGEPS_HOME = $repository
    Import-Module (Join-Path $Root 'ImagePs.psd1') -Force
    Write-Host "`nGet-ChildItem | New-Image -Tag demo | Send-ImageData   (repository: $repository)"
    Get-ChildItem -LiteralPath $images -File | New-Image -Tag demo | Send-ImageData |
        Format-Table -AutoSize | Out-String -Width 160 | Write-Host

    Write-Host 'Unsafe content is refused: a qcow2 whose backing file is /etc/passwd'
    $hostile = Join-Path $work 'hostile.qcow2'
    Invoke-Native qemu-img @('create', '-q', '-f', 'qcow2', '-b', '/etc/passwd', '-F', 'raw', $hostile, '1G')
    Get-Item -LiteralPath $hostile | New-Image -ErrorAction SilentlyContinue -ErrorVariable refused | Out-Null
    foreach ($record in $refused) { Write-Host "  $($record.FullyQualifiedErrorId): $($record.Exception.Message)`n" }

    Write-Host 'Get-Image -Name debian* | Format-List'
    Get-Image -Name debian* | Format-List | Out-String -Width 160 | Write-Host

    Write-Host 'The catalog (Get-Image):'
    Get-Image | Format-Table -AutoSize | Out-String -Width 160 | Write-Host
    Write-Host "Explore it: `$env:IMAGEPS_HOME = '$repository'; Import-Module ./ImagePs.psd1; Get-Image"
    Write-Host "Remove it:  Remove-Item -Recurse '$work'"
}

function Invoke-Clean {
    $paths = @($ModuleBin, $HelpOutput, $Results, $Tools, (Join-Path $Root 'out')) +
        (Get-ChildItem -Path (Join-Path $Root 'src'), (Join-Path $Root 'tests') -Directory -Recurse -Include bin, obj).FullName
    foreach ($path in $paths) { Remove-Item -LiteralPath $path -Recurse -Force -ErrorAction Ignore }
    Write-Host 'Cleaned.'
}

Push-Location $Root
try {
    switch ($Task) {
        'Build' { Invoke-Build }
        'Test' { Invoke-Test }
        'Package' { Invoke-Package }
        'Demo' { Invoke-Demo }
        'Clean' { Invoke-Clean }
    }
}
finally {
    Pop-Location
}
