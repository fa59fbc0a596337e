# Shared by every Pester file (dot-sourced in BeforeAll): imports the built module from the
# repository root, gives each test its own repository folder, and makes real disk images.

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$script:ManifestPath = Join-Path $RepoRoot 'ImagePs.psd1'
Import-Module $ManifestPath -Force -ErrorAction Stop

function Use-TestRepository {
    # Points ImagePs at a new, empty repository folder under TestDrive and returns its path. The
    # caller goes back to the default (the OS user, administering its own repository).
    param([string] $Settings)
    $path = Join-Path $TestDrive ('repo-' + [guid]::NewGuid().ToString('N'))
    $env:IMAGEPS_HOME = $path
    Reset-Caller
    if ($Settings) {
        New-Item -ItemType Directory -Path $path -Force | Out-Null
        Set-Content -LiteralPath (Join-Path $path 'imageps.json') -Value $Settings
    }
    $path
}

function Get-StoreFile {
    # Every file in the current repository's store, partial uploads included.
    $store = Join-Path $env:IMAGEPS_HOME 'images'
    if (-not (Test-Path -LiteralPath $store)) { return @() }
    @(Get-ChildItem -LiteralPath $store -File -Force)
}

function New-QemuImage {
    # A real disk image made by qemu-img, with real data written by qemu-io.
    param(
        [Parameter(Mandatory)] [string] $Format,
        [Parameter(Mandatory)] [string] $Path,
        [string] $Size = '16M',
        [int] $WriteMiB = 1,
        [string[]] $Options = @()
    )
    $arguments = @('create', '-q', '-f', $Format)
    if ($Options) { $arguments += @('-o', ($Options -join ',')) }
    & qemu-img @($arguments + @($Path, $Size))
    if ($LASTEXITCODE) { throw "qemu-img create failed for $Path" }
    if ($WriteMiB -gt 0) {
        & qemu-io -f $Format -c "write -P 0x5a 0 ${WriteMiB}M" $Path | Out-Null
        if ($LASTEXITCODE) { throw "qemu-io failed for $Path" }
    }
    Get-Item -LiteralPath $Path
}

function New-RandomFile {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [int] $Length)
    $bytes = [byte[]]::new($Length)
    [Random]::Shared.NextBytes($bytes)
    [IO.File]::WriteAllBytes($Path, $bytes)
    Get-Item -LiteralPath $Path
}

function Get-ExternalHash {
    # The hash as md5sum / sha512sum print it: computed by a program that is not ImagePs.
    param([Parameter(Mandatory)] [string] $Path, [ValidateSet('md5', 'sha512')] [string] $Algorithm)
    $tool = "${Algorithm}sum"
    if (Get-Command $tool -ErrorAction Ignore) {
        ((& $tool -- $Path) -split '\s+')[0]
    }
    else {
        (Get-FileHash -LiteralPath $Path -Algorithm $Algorithm.ToUpperInvariant()).Hash.ToLowerInvariant()
    }
}

function Get-QemuVirtualSize {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $Format)
    (& qemu-img info -f $Format --output=json $Path | ConvertFrom-Json).'virtual-size'
}

function Get-PwshPath {
    # The pwsh running these tests, to start fresh sessions the way a user or a scheduler would.
    foreach ($name in 'pwsh', 'pwsh.exe') {
        $candidate = Join-Path $PSHOME $name
        if (Test-Path -LiteralPath $candidate -PathType Leaf) { return $candidate }
    }
    throw "No pwsh executable found in $PSHOME."
}

function Wait-Until {
    # Polls a condition (a scriptblock) until it holds or the time is up; returns whether it held.
    param([Parameter(Mandatory)] [scriptblock] $Condition, [int] $TimeoutSeconds = 60)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ([DateTime]::UtcNow -lt $deadline) {
        if (& $Condition) { return $true }
        Start-Sleep -Milliseconds 100
    }
    $false
}

function Invoke-CatalogQuery {
    # Runs one SQL query on the current repository's catalog.db and returns the first column of each
    # row: a look from outside, so that ImagePs's own recovery does not run first.
    param([Parameter(Mandatory)] [string] $Sql)
    # Microsoft.Data.Sqlite lives in ImagePs's own load context, where type names do not reach; its
    # native library is set up by ImagePs (done here without opening a repository, which would recover).
    $engine = [ImagePs.Image].Assembly
    $null = $engine.GetType('ImagePs.Catalog.SqliteNativeLibrary').GetMethod('EnsureInitialized').Invoke($null, @())
    $context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($engine)
    $sqlite = $context.LoadFromAssemblyName([Reflection.AssemblyName]'Microsoft.Data.Sqlite')
    $connection = [Activator]::CreateInstance($sqlite.GetType('Microsoft.Data.Sqlite.SqliteConnection'),
        [object[]]@("Data Source=$(Join-Path $env:IMAGEPS_HOME 'catalog.db');Pooling=False"))
    try {
        $connection.Open()
        $command = $connection.CreateCommand()
        $command.CommandText = $Sql
        $reader = $command.ExecuteReader()
        while ($reader.Read()) { $reader.GetValue(0) }
        $reader.Dispose()
    }
    finally { $connection.Dispose() }
}

function Get-CatalogStatus {
    # The status as stored in catalog.db, without opening the repository through ImagePs.
    param([Parameter(Mandatory)] [guid] $Id)
    Invoke-CatalogQuery -Sql "SELECT status FROM images WHERE id = '$Id'"
}

function Start-FifoWriter {
    # A process that writes $Bytes zero bytes into a new FIFO, then keeps it open until stopped.
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [long] $Bytes)
    & mkfifo $Path
    if ($LASTEXITCODE) { throw "mkfifo failed for $Path" }
    # Start-Process joins its arguments with spaces: the script goes in double quotes to stay one argument.
    Start-Process -FilePath sh -ArgumentList '-c', "`"exec >'$Path'; head -c $Bytes /dev/zero; exec sleep 300`"" -PassThru
}

function Start-ChildUpload {
    # Send-ImageData in a separate pwsh process (same repository), as another session would.
    param([Parameter(Mandatory)] [guid] $Id, [Parameter(Mandatory)] [string] $Path)
    $command = "`$ProgressPreference = 'SilentlyContinue'; Import-Module '$ManifestPath'; Send-ImageData -Id '$Id' -Path '$Path' -ErrorAction Stop | Out-Null"
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($command))
    Start-Process -FilePath (Get-PwshPath) -ArgumentList '-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded -PassThru
}

function Use-Caller {
    # Acts as another caller through the documented environment override (IMAGEPS_USER, _PROJECT, _ROLES).
    param([Parameter(Mandatory)] [string] $User, [string] $Project, [string[]] $Roles)
    $env:IMAGEPS_USER = $User
    $env:IMAGEPS_PROJECT = if ($Project) { $Project } else { $null }
    $env:IMAGEPS_ROLES = if ($PSBoundParameters.ContainsKey('Roles')) { $Roles -join ',' } else { $null }
}

function Reset-Caller {
    $env:IMAGEPS_USER = $null
    $env:IMAGEPS_PROJECT = $null
    $env:IMAGEPS_ROLES = $null
}

function Set-RepositoryFile {
    # Writes a file (policy.yaml, a protections file, ...) into the current repository folder.
    param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [string] $Content)
    New-Item -ItemType Directory -Path $env:IMAGEPS_HOME -Force | Out-Null
    Set-Content -LiteralPath (Join-Path $env:IMAGEPS_HOME $Name) -Value $Content
}

function Invoke-FreshPwsh {
    # Runs a script block's text in a new pwsh (-NoProfile -NonInteractive) with extra environment
    # variables; returns @{ Output = lines (stdout and stderr); ExitCode }. $null removes a variable.
    param(
        [Parameter(Mandatory)] [string] $Command,
        [hashtable] $Environment = @{},
        [string[]] $Arguments = @()
    )
    $saved = @{}
    foreach ($name in $Environment.Keys) {
        $saved[$name] = [Environment]::GetEnvironmentVariable($name)
        [Environment]::SetEnvironmentVariable($name, $Environment[$name])
    }
    try {
        # Plain text: no colour escape sequences in what the test reads (or writes into its report).
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes("`$PSStyle.OutputRendering = 'PlainText'`n" + $Command))
        $output = & (Get-PwshPath) -NoProfile -NonInteractive -OutputFormat Text -EncodedCommand $encoded @Arguments 2>&1 |
            ForEach-Object { "$_" }
        @{ Output = @($output); ExitCode = $LASTEXITCODE }
    }
    finally {
        foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
    }
}

function New-TestModulePath {
    # A module folder laid out as an installed ImagePs (<dir>/ImagePs/...), for scripts that
    # import the module by name; returns <dir>, to put on PSModulePath.
    $modules = Join-Path $TestDrive ('modules-' + [guid]::NewGuid().ToString('N'))
    $module = New-Item -ItemType Directory -Path (Join-Path $modules 'ImagePs')
    Copy-Item -LiteralPath $ManifestPath -Destination $module
    New-Item -ItemType Directory -Path (Join-Path $module 'module') | Out-Null
    Copy-Item -LiteralPath (Join-Path $RepoRoot 'module/ImagePs.Format.ps1xml') -Destination (Join-Path $module 'module')
    Copy-Item -LiteralPath (Join-Path $RepoRoot 'module/bin') -Destination (Join-Path $module 'module/bin') -Recurse
    Copy-Item -LiteralPath (Join-Path $RepoRoot 'en-US') -Destination (Join-Path $module 'en-US') -Recurse
    $modules
}
