#Requires -Version 7.4
<#
.SYNOPSIS
    Packs the built module into a .nupkg that Install-PSResource installs.

.DESCRIPTION
    Lays the module out as it will be installed (<modules>/ImagePs/<version>/): the manifest at the
    top, module/ImagePs.Format.ps1xml, module/bin (the cmdlets, their dependencies and each
    platform's native SQLite) and en-US (help), so the manifest's relative RootModule and
    FormatsToProcess paths stay valid; checks it with Test-ModuleManifest; and packs it with
    Compress-PSResource (PSResourceGet, shipped with PowerShell 7.4+), which registers no repository;
    PSResourceGet runs with a throw-away HOME so it leaves no settings behind. Run it in its own pwsh
    (build.ps1 does): it changes HOME for that process. Needs a build first (build.ps1 Build, or the
    Package task).

.OUTPUTS
    System.IO.FileInfo: the .nupkg.

.EXAMPLE
    pwsh -NoProfile -File src/Build/New-ModulePackage.ps1 -SourceRoot . -DestinationPath ./out/package
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $SourceRoot,
    [Parameter(Mandatory)] [string] $DestinationPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$SourceRoot = (Resolve-Path -LiteralPath $SourceRoot).Path
$manifestPath = Join-Path $SourceRoot 'ImagePs.psd1'
$manifest = Import-PowerShellDataFile -LiteralPath $manifestPath
$name = [IO.Path]::GetFileNameWithoutExtension($manifestPath)

# What the installed module consists of, relative to the repository root.
$contents = 'ImagePs.psd1', 'README.md', 'module/ImagePs.Format.ps1xml', 'module/bin', 'module/examples', 'en-US'
foreach ($relative in $contents) {
    if (-not (Test-Path -LiteralPath (Join-Path $SourceRoot $relative))) {
        throw "'$relative' is missing under ${SourceRoot}: build the module first (build.ps1 Build)."
    }
}

$stage = Join-Path ([IO.Path]::GetTempPath()) ('imageps-package-' + [IO.Path]::GetRandomFileName())
$moduleFolder = Join-Path $stage $name
try {
    New-Item -ItemType Directory -Path $moduleFolder | Out-Null
    foreach ($relative in $contents) {
        $source = Join-Path $SourceRoot $relative
        $target = Join-Path $moduleFolder $relative
        New-Item -ItemType Directory -Force -Path (Split-Path -Parent $target) | Out-Null
        Copy-Item -LiteralPath $source -Destination $target -Recurse
    }
    # Every path the manifest names must be in the package, where the manifest says.
    foreach ($relative in @($manifest.RootModule) + @($manifest.FormatsToProcess)) {
        if (-not (Test-Path -LiteralPath (Join-Path $moduleFolder $relative) -PathType Leaf)) { throw "The package would lack '$relative', named by the manifest." }
    }
    # Debug symbols stay out of the package (they are build output for developers).
    Get-ChildItem -LiteralPath $moduleFolder -Recurse -File -Filter *.pdb | Remove-Item

    Test-ModuleManifest -Path (Join-Path $moduleFolder 'ImagePs.psd1') | Out-Null

    New-Item -ItemType Directory -Force -Path $DestinationPath | Out-Null
    $package = Join-Path $DestinationPath "$name.$($manifest.ModuleVersion).nupkg"
    Remove-Item -LiteralPath $package -ErrorAction Ignore
    # PSResourceGet creates its repository list in the user's data folder when it loads; give it a
    # throw-away one, so packing leaves nothing behind. (.NET reads HOME and XDG_* on each call on
    # Linux and macOS; the folders must exist, or it answers "" and PSResourceGet falls back to the
    # current directory. On Windows the per-user folders cannot be redirected this way.)
    $scratchHome = Join-Path $stage 'home'
    foreach ($variable in 'XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME') {
        $folder = New-Item -ItemType Directory -Force -Path (Join-Path $scratchHome $variable)
        [Environment]::SetEnvironmentVariable($variable, $folder.FullName)
    }
    [Environment]::SetEnvironmentVariable('HOME', $scratchHome)
    Compress-PSResource -Path $moduleFolder -DestinationPath $DestinationPath
    if (-not (Test-Path -LiteralPath $package)) { throw "Compress-PSResource did not write $package." }
    Get-Item -LiteralPath $package
}
finally {
    Remove-Item -LiteralPath $stage -Recurse -Force -ErrorAction Ignore
}
