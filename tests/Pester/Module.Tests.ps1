BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
}

Describe 'The ImagePs module' {
    It 'has a manifest that Test-ModuleManifest accepts' {
        $manifest = Test-ModuleManifest -Path $ManifestPath
        $data = Import-PowerShellDataFile -Path $ManifestPath
        $manifest.Version | Should -Be ([version]$data.ModuleVersion)
        $manifest.Guid | Should -Be ([guid]$data.GUID)
        $manifest.CompatiblePSEditions | Should -Contain 'Core'
        $manifest.Description | Should -Not -BeNullOrEmpty
    }

    It 'exports exactly its cmdlets, by name' {
        $data = Import-PowerShellDataFile -Path $ManifestPath
        $exported = (Get-Command -Module ImagePs).Name | Sort-Object
        $exported | Should -Be ($data.CmdletsToExport | Sort-Object)
        $exported | Should -Be @('Add-ImageMember', 'Clear-DeletedImage', 'Copy-ImageRepository', 'Disable-Image', 'Enable-Image', 'Get-Image', 'Get-ImageEvent',
            'Get-ImageFileInfo', 'Get-ImageMember', 'Get-ImageUsage', 'Import-Image', 'New-Image', 'Remove-Image', 'Remove-ImageMember', 'Restore-Image', 'Save-ImageData',
            'Send-ImageData', 'Set-Image', 'Set-ImageMember', 'Test-Image')
    }

    It '<Name> declares that it outputs ImagePs.Image' -ForEach @(
        @{ Name = 'New-Image' }, @{ Name = 'Send-ImageData' }, @{ Name = 'Get-Image' }, @{ Name = 'Set-Image' },
        @{ Name = 'Disable-Image' }, @{ Name = 'Enable-Image' }, @{ Name = 'Import-Image' }
    ) {
        (Get-Command $Name).OutputType.Name | Should -Contain 'ImagePs.Image'
    }

    It '<Name> declares that it outputs <Type>' -ForEach @(
        @{ Name = 'Add-ImageMember'; Type = 'ImagePs.ImageMember' }, @{ Name = 'Get-ImageMember'; Type = 'ImagePs.ImageMember' }
        @{ Name = 'Set-ImageMember'; Type = 'ImagePs.ImageMember' }, @{ Name = 'Get-ImageEvent'; Type = 'ImagePs.ImageEvent' }
        @{ Name = 'Copy-ImageRepository'; Type = 'ImagePs.ImageCopy' }, @{ Name = 'Get-ImageUsage'; Type = 'ImagePs.ImageUsage' }
        @{ Name = 'Get-ImageFileInfo'; Type = 'ImagePs.ImageFileInfo' }
        @{ Name = 'Test-Image'; Type = 'ImagePs.ImageVerification' }, @{ Name = 'Test-Image'; Type = 'System.Boolean' }
    ) {
        (Get-Command $Name).OutputType.Name | Should -Contain $Type
    }

    It 'loads the native SQLite library bundled for this platform' {
        $os = if ($IsWindows) { 'win' } elseif ($IsMacOS) { 'osx' } else { 'linux' }
        $rid = '{0}-{1}' -f $os, [Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture.ToString().ToLowerInvariant()
        Join-Path $RepoRoot "module/bin/core/runtimes/$rid/native" | Should -Exist
        Use-TestRepository | Out-Null
        New-Image -Name 'first-query' | Select-Object -ExpandProperty Status | Should -Be 'Queued'
    }

    It 'ships native SQLite for Windows, Linux and macOS' -ForEach @(
        @{ Rid = 'win-x64'; File = 'e_sqlite3.dll' },
        @{ Rid = 'linux-x64'; File = 'libe_sqlite3.so' },
        @{ Rid = 'osx-arm64'; File = 'libe_sqlite3.dylib' }
    ) {
        Join-Path $RepoRoot "module/bin/core/runtimes/$Rid/native/$File" | Should -Exist
    }

    It 'shows images in a table with readable sizes' {
        Use-TestRepository | Out-Null
        $file = New-RandomFile -Path (Join-Path $TestDrive 'eight.raw') -Length (8MB)
        $image = $file | New-Image | Send-ImageData
        $table = $image | Format-Table | Out-String -Width 200
        $table | Should -Match 'Name\s+Status\s+Format\s+Size\s+Virtual\s+Id'
        $table | Should -Match 'eight\s+Active\s+raw\s+8 MiB\s+8 MiB'
        $image.Size | Should -BeOfType [long]
    }

    It 'shows every field in a list' {
        Use-TestRepository | Out-Null
        $list = New-Image -Name listed -DiskFormat raw -Property @{ os_distro = 'debian' } | Format-List | Out-String -Width 200
        foreach ($field in 'Id', 'Name', 'Status', 'DiskFormat', 'ContainerFormat', 'Visibility', 'Protected', 'Size',
            'VirtualSize', 'Checksum', 'OsHashAlgo', 'OsHashValue', 'MinDisk', 'MinRam', 'Owner', 'Tags', 'Properties',
            'CreatedAt', 'UpdatedAt') {
            $list | Should -Match "(?m)^$field\s+:"
        }
        $list | Should -Match 'os_distro=debian'
    }
}
