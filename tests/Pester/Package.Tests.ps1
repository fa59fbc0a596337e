BeforeAll {
    . $PSScriptRoot/TestSupport.ps1

    # A user of its own: HOME and the XDG folders under TestDrive, so PSResourceGet's repository list
    # and the CurrentUser module folder are the test's, never the real user's. PSModulePath is
    # cleared so a fresh pwsh builds it from that HOME alone.
    # (On Windows the per-user folders are not redirected by environment variables: the install
    # tests are skipped there rather than touch the real user.)
    $sandboxHome = Join-Path $TestDrive 'home'
    $sandbox = @{
        HOME            = $sandboxHome
        XDG_DATA_HOME   = Join-Path $sandboxHome '.local/share'
        XDG_CONFIG_HOME = Join-Path $sandboxHome '.config'
        XDG_CACHE_HOME  = Join-Path $sandboxHome '.cache'
        PSModulePath    = $null
        IMAGEPS_HOME    = Join-Path $TestDrive 'repository'
    }
    # .NET answers "" for a per-user folder that does not exist (and PSResourceGet then writes into
    # the current directory): a real HOME has these folders, so the sandbox has them too.
    foreach ($folder in $sandbox.XDG_DATA_HOME, $sandbox.XDG_CONFIG_HOME, $sandbox.XDG_CACHE_HOME) { New-Item -ItemType Directory -Force -Path $folder | Out-Null }
    $realData = [Environment]::GetFolderPath('LocalApplicationData')
    $realUserFiles = @(
        Join-Path $realData 'powershell/Modules/ImagePs'
        Join-Path $realData 'PSResourceGet/PSResourceRepository.xml'
        Join-Path (Get-Location) 'PSResourceGet'
    )
    $realUserFilesBefore = $realUserFiles | ForEach-Object { if (Test-Path -LiteralPath $_ -PathType Leaf) { Get-FileHash -LiteralPath $_ | ForEach-Object Hash } else { Test-Path -LiteralPath $_ } }

    $feed = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'feed')
    $packageRun = Invoke-FreshPwsh -Command "& '$RepoRoot/src/Build/New-ModulePackage.ps1' -SourceRoot '$RepoRoot' -DestinationPath '$feed'"
    $version = (Import-PowerShellDataFile -Path $ManifestPath).ModuleVersion
    $package = Join-Path $feed "ImagePs.$version.nupkg"
}

Describe 'The module package' {
    It 'is built by New-ModulePackage.ps1 (build.ps1 Package)' {
        $packageRun.ExitCode | Should -Be 0 -Because ($packageRun.Output -join "`n")
        $package | Should -Exist
    }

    It 'holds the module as installed: manifest at the top, the paths it names, help, native SQLite' {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::OpenRead($package)
        try { $entries = $zip.Entries.FullName } finally { $zip.Dispose() }
        $data = Import-PowerShellDataFile -Path $ManifestPath
        foreach ($path in @('ImagePs.psd1', $data.RootModule) + $data.FormatsToProcess + @(
                'en-US/ImagePs.dll-Help.xml', 'en-US/about_ImagePs.help.txt', 'module/bin/ImagePs.Loader.dll', 'module/bin/core/ImagePs.Core.dll', 'module/bin/core/SharpCompress.dll',
                'module/bin/core/runtimes/linux-x64/native/libe_sqlite3.so', 'module/bin/core/runtimes/win-x64/native/e_sqlite3.dll',
                'module/bin/core/runtimes/osx-arm64/native/libe_sqlite3.dylib')) {
            $entries | Should -Contain $path
        }
        $entries | Where-Object { $_ -like '*.pdb' } | Should -BeNullOrEmpty
    }

    It 'ships native SQLite for exactly the platforms PowerShell 7.4+ runs on, one library each' {
        # The runtime identifiers SqliteNativeLibrary selects on those platforms; none of the package's others.
        $expected = 'linux-arm', 'linux-arm64', 'linux-musl-arm64', 'linux-musl-x64', 'linux-x64',
            'osx-arm64', 'osx-x64', 'win-arm64', 'win-x64', 'win-x86'
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::OpenRead($package)
        try { $natives = @($zip.Entries.FullName | Where-Object { $_ -like 'module/bin/core/runtimes/*' }) } finally { $zip.Dispose() }

        @($natives | ForEach-Object { $_.Split('/')[4] } | Sort-Object -Unique) | Should -Be $expected
        $natives.Count | Should -Be $expected.Count
        $natives | Should -Match '/native/(lib)?e_sqlite3\.(so|dylib|dll)$'
        @(Get-ChildItem -LiteralPath (Join-Path $RepoRoot 'module/bin/core/runtimes') -Directory | Sort-Object Name).Name | Should -Be $expected
    }

    It 'installs with Install-PSResource from a folder repository, then imports by name in a fresh pwsh' -Skip:$IsWindows {
        $install = Invoke-FreshPwsh -Environment $sandbox -Command @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name ImagePsLocal -Uri '$feed' -Trusted
`$installed = Install-PSResource -Name ImagePs -Repository ImagePsLocal -Scope CurrentUser -PassThru -Quiet
'installed ' + `$installed.Version + ' ' + `$installed.InstalledLocation
"@
        $install.ExitCode | Should -Be 0 -Because ($install.Output -join "`n")
        $install.Output | Should -Contain ("installed $version " + (Join-Path $sandbox.XDG_DATA_HOME 'powershell/Modules'))

        $use = Invoke-FreshPwsh -Environment $sandbox -Command @'
$ErrorActionPreference = 'Stop'
Import-Module ImagePs
$module = Get-Module ImagePs
'base ' + $module.ModuleBase
'cmdlets ' + (($module.ExportedCmdlets.Keys | Sort-Object) -join ',')
$image = New-Image -Name from-package -DiskFormat raw
'status ' + (Get-Image -Id $image.Id).Status
'help ' + (Get-Help Set-Image).Synopsis
'examples ' + @((Get-Help New-Image -Examples).examples.example).Count
'about ' + ((Get-Help about_ImagePs | Out-String) -match 'TOPIC')
'table ' + ((Get-Image | Format-Table | Out-String) -match 'from-package')
'@
        $use.ExitCode | Should -Be 0 -Because ($use.Output -join "`n")
        $expectedBase = Join-Path $sandbox.XDG_DATA_HOME "powershell/Modules/ImagePs/$version"
        $use.Output | Should -Contain "base $expectedBase"
        $cmdlets = ((Import-PowerShellDataFile -Path $ManifestPath).CmdletsToExport | Sort-Object) -join ','
        $use.Output | Should -Contain "cmdlets $cmdlets"
        $use.Output | Should -Contain 'status Queued'
        $use.Output | Should -Contain ('help ' + (Get-Help Set-Image).Synopsis)
        ($use.Output | Where-Object { $_ -like 'examples *' }) | Should -Not -Be 'examples 0'
        $use.Output | Should -Contain 'about True'
        $use.Output | Should -Contain 'table True'
    }

    It 'passes Test-ModuleManifest where it was installed' -Skip:$IsWindows {
        $manifest = Join-Path $sandbox.XDG_DATA_HOME "powershell/Modules/ImagePs/$version/ImagePs.psd1"
        $manifest | Should -Exist
        (Test-ModuleManifest -Path $manifest).Version | Should -Be ([version]$version)
    }

    It 'left the real user''s module folder and repository list alone' {
        $after = $realUserFiles | ForEach-Object { if (Test-Path -LiteralPath $_ -PathType Leaf) { Get-FileHash -LiteralPath $_ | ForEach-Object Hash } else { Test-Path -LiteralPath $_ } }
        $after | Should -Be $realUserFilesBefore
        if (-not $IsWindows) { Join-Path $sandbox.XDG_DATA_HOME 'PSResourceGet/PSResourceRepository.xml' | Should -Exist -Because 'the sandbox got the registration' }
    }
}
