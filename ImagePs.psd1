@{
    # The module's one manifest. build.ps1 publishes the compiled cmdlets into module/bin, so after a
    # build `Import-Module ./ImagePs.psd1` from the repository root loads the real module.
    RootModule           = 'module/bin/ImagePs.dll'
    # Imported first: loads the engine (module/bin/core) into a load context of its own, so another
    # module's SQLite or other shared libraries cannot clash with ImagePs's.
    NestedModules        = @('module/bin/ImagePs.Loader.dll')
    ModuleVersion        = '0.1.0'
    GUID                 = '8cc649b6-9199-4030-aea4-473a8f2c70a9'
    Author               = 'ImagePs contributors'
    CompanyName          = 'ImagePs'
    Copyright            = '(c) ImagePs contributors. All rights reserved.'
    Description          = 'An OpenStack Glance v2 style image catalog for PowerShell: create image records, stream disk images into a store with MD5 and SHA-512 computed on the fly, probe their virtual size, and query and change the catalog. Embedded SQLite catalog and filesystem store; nothing to start or configure.'
    CompatiblePSEditions = @('Core')
    PowerShellVersion    = '7.4'
    FormatsToProcess     = @('module/ImagePs.Format.ps1xml')
    CmdletsToExport      = @('New-Image', 'Send-ImageData', 'Save-ImageData', 'Get-Image', 'Set-Image', 'Remove-Image', 'Disable-Image', 'Enable-Image', 'Add-ImageMember', 'Get-ImageMember', 'Set-ImageMember', 'Remove-ImageMember', 'Get-ImageEvent', 'Copy-ImageRepository', 'Get-ImageUsage', 'Get-ImageFileInfo', 'Test-Image', 'Restore-Image', 'Clear-DeletedImage', 'Import-Image')
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Glance', 'OpenStack', 'Image', 'qcow2', 'VHD', 'VMDK', 'Catalog', 'Linux', 'Windows', 'MacOS')
            ReleaseNotes = 'Glance v2 image catalog: New-Image, Send-ImageData (single-pass MD5/SHA-512, direct I/O, signatures, crash recovery), Save-ImageData, Get-Image, Set-Image, Remove-Image, Disable-/Enable-Image, image members and events; native format inspection with qemu-img cross-check; policy, authorization, property protections and quotas; dependencies isolated in their own load context.'
        }
    }
}
