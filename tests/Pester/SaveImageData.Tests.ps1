BeforeDiscovery {
    . $PSScriptRoot/TestBackends.ps1
}

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
}

Describe 'Save-ImageData (<TestBackend>)' -ForEach (Get-TestBackend) {
    BeforeEach {
        $repository = Use-TestRepository
        $files = Join-Path $TestDrive ('files-' + [guid]::NewGuid().ToString('N'))
        $out = Join-Path $TestDrive ('out-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $files, $out | Out-Null
        $source = New-QemuImage -Format qcow2 -Path (Join-Path $files 'debian.qcow2') -Size 64M -WriteMiB 5
        $image = $source | New-Image | Send-ImageData
    }

    It 'writes a byte-identical copy' {
        $target = Join-Path $out 'copy.qcow2'
        Save-ImageData -Id $image.Id -Path $target

        Get-ExternalHash $target sha512 | Should -Be (Get-ExternalHash $source.FullName sha512)
        Get-ChildItem -LiteralPath $out -Force | Select-Object -ExpandProperty Name | Should -Be 'copy.qcow2'
    }

    It 'names the file after the image inside a folder and emits it with -PassThru' {
        $written = $image | Save-ImageData -Destination $out -PassThru

        $written | Should -BeOfType [IO.FileInfo]
        $written.Name | Should -Be 'debian.qcow2'
        $written.PSPath | Should -BeLike 'Microsoft.PowerShell.Core\FileSystem::*'   # an item, as Get-Item gives
        $written.Mode | Should -Not -BeNullOrEmpty
        $written.Length | Should -Be $image.Size
    }

    It 'keeps an existing file unless -Force' {
        $target = Join-Path $out 'existing.qcow2'
        Set-Content -LiteralPath $target -Value 'keep me'

        $image | Save-ImageData -Path $target -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'DestinationExists,*'
        Get-Content -LiteralPath $target | Should -Be 'keep me'

        $image | Save-ImageData -Path $target -Force
        Get-ExternalHash $target md5 | Should -Be $image.Checksum
    }

    It 'detects corrupted store data, reports ImageDataCorrupted and leaves no output' {
        $stored = Export-StoredData -Id $image.Id -Path (Join-Path $TestDrive "damaged-$($image.Id)")
        $bytes = [IO.File]::ReadAllBytes($stored)
        $bytes[4096] = $bytes[4096] -bxor 0xFF
        [IO.File]::WriteAllBytes($stored, $bytes)
        Import-StoredData -Id $image.Id -Path $stored

        $image | Save-ImageData -Path (Join-Path $out 'bad.qcow2') -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ImageDataCorrupted,*'
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidData'
        Get-ChildItem -LiteralPath $out -Force | Should -BeNullOrEmpty
    }

    It 'refuses an image without data with ImageNotActive' {
        $queued = New-Image -Name empty -DiskFormat raw
        $queued | Save-ImageData -Path (Join-Path $out 'x') -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ImageNotActive,*'
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        Get-ChildItem -LiteralPath $out -Force | Should -BeNullOrEmpty
    }

    It 'changes nothing with -WhatIf' {
        $image | Save-ImageData -Path $out -WhatIf
        Get-ChildItem -LiteralPath $out -Force | Should -BeNullOrEmpty
    }
}
