BeforeAll {
    . $PSScriptRoot/TestSupport.ps1

    # Another module, as a user might have one loaded: Microsoft.Data.Sqlite 8 with SQLitePCLRaw 2.1.11,
    # both different versions from ImagePs's, loaded the usual way into PowerShell's default context.
    $packages = Join-Path $TestDrive 'packages'
    foreach ($package in 'Microsoft.Data.Sqlite.Core@8.0.30', 'SQLitePCLRaw.core@2.1.11', 'SQLitePCLRaw.provider.e_sqlite3@2.1.11',
        'SQLitePCLRaw.lib.e_sqlite3@2.1.11', 'SQLitePCLRaw.bundle_e_sqlite3@2.1.11') {
        & dotnet package download $package -o $packages | Out-Null
        if ($LASTEXITCODE) { throw "Could not download $package from NuGet." }
    }
    $other = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'OtherSqlite')
    $dlls = 'microsoft.data.sqlite.core/8.0.30/lib/netstandard2.0/Microsoft.Data.Sqlite.dll',
        'sqlitepclraw.core/2.1.11/lib/netstandard2.0/SQLitePCLRaw.core.dll',
        'sqlitepclraw.provider.e_sqlite3/2.1.11/lib/net6.0/SQLitePCLRaw.provider.e_sqlite3.dll',
        'sqlitepclraw.bundle_e_sqlite3/2.1.11/lib/netstandard2.0/SQLitePCLRaw.batteries_v2.dll'
    foreach ($dll in $dlls) { Copy-Item (Join-Path $packages $dll) $other }
    $os = if ($IsWindows) { 'win' } elseif ($IsMacOS) { 'osx' } else { 'linux' }
    $rid = '{0}-{1}' -f $os, [Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture.ToString().ToLowerInvariant()
    Copy-Item (Join-Path $packages "sqlitepclraw.lib.e_sqlite3/2.1.11/runtimes/$rid/native/*") $other
    Set-Content -LiteralPath (Join-Path $other 'OtherSqlite.psm1') -Value @'
foreach ($name in 'SQLitePCLRaw.core', 'SQLitePCLRaw.provider.e_sqlite3', 'SQLitePCLRaw.batteries_v2', 'Microsoft.Data.Sqlite') {
    Add-Type -Path (Join-Path $PSScriptRoot "$name.dll")
}
[SQLitePCL.Batteries_V2]::Init()
function Get-OtherSqliteVersion {
    $connection = [Microsoft.Data.Sqlite.SqliteConnection]::new('Data Source=:memory:')
    try {
        $connection.Open()
        $command = $connection.CreateCommand()
        $command.CommandText = 'select sqlite_version()'
        $command.ExecuteScalar()
    }
    finally { $connection.Dispose() }
}
'@
}

Describe 'ImagePs next to a module with another Microsoft.Data.Sqlite and SQLitePCLRaw' {
    It 'works when the other module was loaded first, and the other module keeps working' {
        $repository = Join-Path $TestDrive 'repository'
        $file = New-RandomFile -Path (Join-Path $TestDrive 'disk.raw') -Length 100000
        $result = Invoke-FreshPwsh -Environment @{ IMAGEPS_HOME = $repository } -Command @"
Import-Module '$(Join-Path $other 'OtherSqlite.psm1')'
`$before = Get-OtherSqliteVersion
Import-Module '$ManifestPath'
`$image = Get-Item '$($file.FullName)' | New-Image | Send-ImageData
`$listed = @(Get-Image).Count
`$after = Get-OtherSqliteVersion
`$versions = ([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'Microsoft.Data.Sqlite' } |
    ForEach-Object { `$_.GetName().Version.Major } | Sort-Object) -join ','
"RESULT `$before `$after `$(`$image.Status) `$(`$image.Checksum) `$listed `$versions"
"@
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        $line = $result.Output | Where-Object { $_ -like 'RESULT *' }
        $line | Should -Not -BeNullOrEmpty -Because ($result.Output -join "`n")
        $fields = $line -split ' '
        $fields[1] | Should -Match '^3\.\d+\.\d+$'
        $fields[2] | Should -Be $fields[1]
        $fields[3] | Should -Be 'Active'
        $fields[4] | Should -Be (Get-ExternalHash -Path $file.FullName -Algorithm md5)
        $fields[5] | Should -Be 1
        $fields[6] | Should -Be '8,10'   # both versions loaded side by side
    }
}

Describe 'The engine load context' {
    It 'resolves every assembly the engine references, directly or through its dependencies' {
        # By name, as the runtime does: a dependency naming a framework-looking package the runtime
        # does not carry (Npgsql's netstandard2.0 build references Microsoft.Bcl.HashCode) must come
        # from module/bin/core.
        $result = Invoke-FreshPwsh -Command @"
Import-Module '$ManifestPath'
`$engine = [System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -eq 'ImagePs.Core'
`$seen = @{}
`$queue = [System.Collections.Generic.Queue[Reflection.AssemblyName]]::new()
`$queue.Enqueue([Reflection.AssemblyName]::new('ImagePs.Core'))
while (`$queue.Count) {
    `$name = `$queue.Dequeue()
    if (`$seen[`$name.Name]) { continue }
    `$seen[`$name.Name] = `$true
    try { `$assembly = `$engine.LoadFromAssemblyName(`$name) }
    catch { "MISSING `$(`$name.Name)"; continue }
    foreach (`$reference in `$assembly.GetReferencedAssemblies()) { `$queue.Enqueue(`$reference) }
}
"CHECKED `$(`$seen.Count)"
"@
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        @($result.Output | Where-Object { $_ -like 'MISSING *' }) | Should -BeNullOrEmpty
        [int](($result.Output | Where-Object { $_ -like 'CHECKED *' }) -replace 'CHECKED ') | Should -BeGreaterThan 20
    }
}
