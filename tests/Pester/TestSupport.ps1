# Shared by every Pester file (dot-sourced in BeforeAll): imports the built module from the
# repository root, gives each test its own repository folder, and makes real disk images.

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$script:ManifestPath = Join-Path $RepoRoot 'ImagePs.psd1'
Import-Module $ManifestPath -Force -ErrorAction Stop

function Use-TestRepository {
    # Points ImagePs at a new, empty repository folder under TestDrive and returns its path. The
    # caller goes back to the default (the OS user, administering its own repository). Inside a
    # Describe block of the Servers configuration (see TestBackends.ps1) the repository's catalog is a
    # PostgreSQL schema of its own and its store a bucket of its own, set in its imageps.json.
    param([string] $Settings)
    $path = Join-Path $TestDrive ('repo-' + [guid]::NewGuid().ToString('N'))
    $env:IMAGEPS_HOME = $path
    Reset-Caller
    if ((Get-Variable -Name TestBackend -ValueOnly -ErrorAction Ignore) -eq 'Servers') { $Settings = Add-ServerSetting -Settings $Settings }
    if ($Settings) {
        New-Item -ItemType Directory -Path $path -Force | Out-Null
        Set-Content -LiteralPath (Join-Path $path 'imageps.json') -Value $Settings
    }
    $path
}

function Add-ServerSetting {
    # The settings with a Catalog (a new PostgreSQL schema) and a Store (a new bucket, 5 MiB parts, so
    # that small test files already make multipart uploads) on the test servers.
    param([string] $Settings)
    if (-not $env:IMAGEPS_TEST_POSTGRESQL -or -not $env:IMAGEPS_TEST_S3_URL) {
        $reason = if ($env:IMAGEPS_TEST_SERVERS_UNAVAILABLE) { $env:IMAGEPS_TEST_SERVERS_UNAVAILABLE } else { 'IMAGEPS_TEST_POSTGRESQL and IMAGEPS_TEST_S3_URL are not set (run the tests through build.ps1 Test)' }
        throw "The PostgreSQL and S3 test servers are not available: $reason"
    }
    $schema = 't_' + [guid]::NewGuid().ToString('N')
    Invoke-ServerSql -Sql "CREATE SCHEMA $schema" | Out-Null
    $values = if ($Settings) { $Settings | ConvertFrom-Json -AsHashtable } else { @{} }
    # Every test repository is another connection string, so another pool in this process: idle
    # connections are closed after seconds, not Npgsql's default five minutes.
    $values.Catalog = @{ Provider = 'PostgreSql'; ConnectionString = "$env:IMAGEPS_TEST_POSTGRESQL;Search Path=$schema;Connection Idle Lifetime=5;Connection Pruning Interval=1" }
    $values.Store = @{
        Provider = 'S3'; ServiceUrl = $env:IMAGEPS_TEST_S3_URL; Bucket = 'imageps-p-' + [guid]::NewGuid().ToString('N')
        AccessKey = $env:IMAGEPS_TEST_S3_ACCESS_KEY; SecretKey = $env:IMAGEPS_TEST_S3_SECRET_KEY; PartSize = 5MB
    }
    $values | ConvertTo-Json -Depth 10
}

function Get-RepositorySetting {
    # The current repository's imageps.json as a hashtable (empty without one).
    $file = Join-Path $env:IMAGEPS_HOME 'imageps.json'
    if (-not (Test-Path -LiteralPath $file)) { return @{} }
    Get-Content -LiteralPath $file -Raw | ConvertFrom-Json -AsHashtable
}

function Remove-RepositorySetting {
    # Removes top-level keys from the current repository's imageps.json, keeping the others (the
    # catalog and store of the Servers configuration among them).
    param([Parameter(Mandatory)] [string[]] $Name)
    $values = Get-RepositorySetting
    foreach ($key in $Name) { $values.Remove($key) }
    Set-Content -LiteralPath (Join-Path $env:IMAGEPS_HOME 'imageps.json') -Value ($values | ConvertTo-Json -Depth 10)
}

function Invoke-ServerSql {
    # Runs SQL on the test PostgreSQL server (in a schema when given) with Npgsql from ImagePs's own load
    # context, where type names do not reach; returns the first column of each row.
    param([Parameter(Mandatory)] [string] $Sql, [string] $ConnectionString = $env:IMAGEPS_TEST_POSTGRESQL)
    $context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext([ImagePs.Image].Assembly)
    $npgsql = $context.LoadFromAssemblyName([Reflection.AssemblyName]::new('Npgsql'))
    $connection = [Activator]::CreateInstance($npgsql.GetType('Npgsql.NpgsqlConnection'), [object[]]@("$ConnectionString;Pooling=False"))
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

function Invoke-S3Request {
    # A signed request to the test S3 server with curl (SigV4, as any S3 client), returning the XML answer;
    # $null when the bucket or object does not exist (404); any other failure throws. A sub-resource
    # without a value is written with '=' (?uploads=): SigV4 signs it that way.
    param([Parameter(Mandatory)] [AllowEmptyString()] [string] $PathAndQuery, [string] $Method = 'GET')
    $answer = & curl -s -X $Method --aws-sigv4 'aws:amz:us-east-1:s3' --user "$($env:IMAGEPS_TEST_S3_ACCESS_KEY):$($env:IMAGEPS_TEST_S3_SECRET_KEY)" `
        -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -w "`n%{http_code}" "$($env:IMAGEPS_TEST_S3_URL)/$PathAndQuery"
    if ($LASTEXITCODE) { throw "curl could not reach $($env:IMAGEPS_TEST_S3_URL) (exit code $LASTEXITCODE)." }
    $lines = @($answer)
    $status = [int]$lines[-1]
    $body = ($lines | Select-Object -SkipLast 1) -join "`n"
    if ($status -eq 404) { return $null }
    if ($status -ge 300) { throw "S3 $Method $PathAndQuery answered $status`: $body" }
    if ($body) { [xml]$body }
}

function Get-StoreFile {
    # Everything in the current repository's store: files in its images folder (partial uploads
    # included), or with an S3 store the objects in its bucket and, named "upload:<key>", the multipart
    # uploads in progress (Length: the bytes of their parts so far).
    $store = (Get-RepositorySetting).Store
    if ($store -and $store.Provider -eq 'S3') {
        $bucket = $store.Bucket
        $objects = Invoke-S3Request "${bucket}?list-type=2"
        $uploads = Invoke-S3Request "${bucket}?uploads="
        $entries = @()
        if ($objects) {
            $entries += @($objects.ListBucketResult.ChildNodes | Where-Object LocalName -EQ 'Contents' |
                ForEach-Object { [pscustomobject]@{ Name = $_.Key; Length = [long]$_.Size } })
        }
        if ($uploads) {
            $entries += @($uploads.ListMultipartUploadsResult.ChildNodes | Where-Object LocalName -EQ 'Upload' | ForEach-Object {
                    $parts = Invoke-S3Request "$bucket/$($_.Key)?uploadId=$($_.UploadId)"
                    $bytes = 0L
                    if ($parts) { $parts.ListPartsResult.ChildNodes | Where-Object LocalName -EQ 'Part' | ForEach-Object { $bytes += [long]$_.Size } }
                    [pscustomobject]@{ Name = "upload:$($_.Key)"; Length = $bytes }
                })
        }
        return $entries
    }
    $folder = Join-Path $env:IMAGEPS_HOME 'images'
    if (-not (Test-Path -LiteralPath $folder)) { return @() }
    @(Get-ChildItem -LiteralPath $folder -File -Force)
}

function Test-StoredData {
    # Whether the current repository's store holds data for the image (a file, or an object).
    param([Parameter(Mandatory)] [guid] $Id)
    $store = (Get-RepositorySetting).Store
    if ($store -and $store.Provider -eq 'S3') { return [bool](Get-StoreFile | Where-Object Name -EQ "$Id") }
    Test-Path -LiteralPath (Join-Path $env:IMAGEPS_HOME "images/$Id")
}

function Export-StoredData {
    # Copies the image's stored bytes to $Path from outside ImagePs (cp, or curl GET); returns $Path.
    param([Parameter(Mandatory)] [guid] $Id, [Parameter(Mandatory)] [string] $Path)
    $store = (Get-RepositorySetting).Store
    if ($store -and $store.Provider -eq 'S3') {
        & curl -s -f -o $Path --aws-sigv4 'aws:amz:us-east-1:s3' --user "$($env:IMAGEPS_TEST_S3_ACCESS_KEY):$($env:IMAGEPS_TEST_S3_SECRET_KEY)" `
            -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' "$($env:IMAGEPS_TEST_S3_URL)/$($store.Bucket)/$Id"
        if ($LASTEXITCODE) { throw "curl could not download $Id from bucket $($store.Bucket)." }
    }
    else {
        Copy-Item -LiteralPath (Join-Path $env:IMAGEPS_HOME "images/$Id") -Destination $Path
    }
    $Path
}

function Import-StoredData {
    # Replaces the image's stored bytes with the file's, behind ImagePs's back (damage, tampering).
    param([Parameter(Mandatory)] [guid] $Id, [Parameter(Mandatory)] [string] $Path)
    $store = (Get-RepositorySetting).Store
    if ($store -and $store.Provider -eq 'S3') {
        & curl -s -f -T $Path -o /dev/null --aws-sigv4 'aws:amz:us-east-1:s3' --user "$($env:IMAGEPS_TEST_S3_ACCESS_KEY):$($env:IMAGEPS_TEST_S3_SECRET_KEY)" `
            -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' "$($env:IMAGEPS_TEST_S3_URL)/$($store.Bucket)/$Id"
        if ($LASTEXITCODE) { throw "curl could not upload $Id into bucket $($store.Bucket)." }
    }
    else {
        Copy-Item -LiteralPath $Path -Destination (Join-Path $env:IMAGEPS_HOME "images/$Id") -Force
    }
}

function Get-UploadInProgress {
    # The store's uploads under way: partial files, or multipart uploads in the bucket.
    @(Get-StoreFile | Where-Object { $_.Name -like '*.partial' -or $_.Name -like 'upload:*' })
}

function Test-UploadLeaseHeld {
    # Whether the PostgreSQL server still holds the image's upload lease (an advisory lock): after its
    # holder died, until the server has noticed that the session is gone. Lock files are released by
    # the operating system the moment the process ends, so the embedded catalog never waits.
    param([Parameter(Mandatory)] [guid] $Id)
    $catalog = (Get-RepositorySetting).Catalog
    if ($catalog -and $catalog.Provider -eq 'PostgreSql') {
        $key = [BitConverter]::ToInt64([Security.Cryptography.SHA256]::HashData([Text.Encoding]::ASCII.GetBytes("imageps-upload:$Id")), 0)
        $held = Invoke-ServerSql -ConnectionString $catalog.ConnectionString -Sql ("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted " +
            "AND ((classid::bigint << 32) | objid::bigint) = $key")
        return [long]$held -gt 0
    }
    $false
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
    # Plain data: a first sector ending in 0x55AA is a partition table to the inspector (as to Glance).
    if ($Length -ge 512) { $bytes[511] = 0 }
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
    # Runs one SQL query on the current repository's catalog (catalog.db, or its PostgreSQL schema) and
    # returns the first column of each row: a look from outside, so that ImagePs's own recovery does
    # not run first.
    param([Parameter(Mandatory)] [string] $Sql)
    $catalog = (Get-RepositorySetting).Catalog
    if ($catalog -and $catalog.Provider -eq 'PostgreSql') { return Invoke-ServerSql -ConnectionString $catalog.ConnectionString -Sql $Sql }
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
    # The status as stored in the catalog, without opening the repository through ImagePs.
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

function Start-Pwsh {
    # Starts a script in a separate pwsh process (inheriting this environment) and returns the process;
    # with -Log, its output and errors go to <Log> and <Log>.err. Encoded, so no quoting can break it.
    param([Parameter(Mandatory)] [string] $Command, [string] $Log)
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($Command))
    $redirect = if ($Log) { @{ RedirectStandardOutput = $Log; RedirectStandardError = "$Log.err" } } else { @{} }
    Start-Process -FilePath (Get-PwshPath) -ArgumentList '-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded -PassThru @redirect
}

function Start-ChildUpload {
    # Send-ImageData in a separate pwsh process (same repository), as another session would.
    param([Parameter(Mandatory)] [guid] $Id, [Parameter(Mandatory)] [string] $Path)
    Start-Pwsh -Command "`$ProgressPreference = 'SilentlyContinue'; Import-Module '$ManifestPath'; Send-ImageData -Id '$Id' -Path '$Path' -ErrorAction Stop | Out-Null"
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
