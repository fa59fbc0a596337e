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

Describe 'Save-ImageData destinations that are not a plain new file' -Skip:(-not $IsLinux) {
    BeforeEach {
        $repository = Use-TestRepository
        $files = Join-Path $TestDrive ('files-' + [guid]::NewGuid().ToString('N'))
        $out = Join-Path $TestDrive ('out-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $files, $out | Out-Null
        $source = New-RandomFile -Path (Join-Path $files 'disk.raw') -Length 300000
        $image = $source | New-Image | Send-ImageData
    }

    It 'writes through a character device with -Force and leaves it a device' {
        $image | Save-ImageData -Path /dev/null -Force

        & stat -c %F /dev/null | Should -Be 'character special file'
    }

    It 'replaces the file a symbolic link points to, and the link stays' {
        $real = Join-Path $files 'real.raw'
        Set-Content -LiteralPath $real -Value 'old'
        $link = New-Item -ItemType SymbolicLink -Path (Join-Path $out 'link.raw') -Target $real

        $image | Save-ImageData -Path $link.FullName -Force

        (Get-Item -LiteralPath $link.FullName).LinkTarget | Should -Be $real
        Get-ExternalHash $real md5 | Should -Be $image.Checksum
    }

    It 'refuses a <Kind> given as the file with DestinationNotRegularFile' -ForEach @(
        @{ Kind = 'FIFO' }
        @{ Kind = 'folder' }
    ) {
        $target = Join-Path $out 'disk.raw'
        if ($Kind -eq 'FIFO') { & mkfifo $target } else { New-Item -ItemType Directory -Path $target | Out-Null }

        # The folder case: -Destination names the folder holding it, so the file to write is the folder disk.raw.
        $failures = $null
        $image | Save-ImageData -Path $(if ($Kind -eq 'FIFO') { $target } else { $out }) -Force -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures[0].FullyQualifiedErrorId | Should -BeLike 'DestinationNotRegularFile,*'
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        & stat -c %F $target | Should -Be $(if ($Kind -eq 'FIFO') { 'fifo' } else { 'directory' })
    }

    It 'refuses <Case> inside the repository with InvalidDestination and changes nothing' -ForEach @(
        @{ Case = 'the catalog'; Target = { Join-Path $repository 'catalog.db' } }
        @{ Case = "another image's data"; Target = { Join-Path $repository "images/$($other.Id)" } }
        @{ Case = 'a path through a link to the repository'; Target = {
                $alias = New-Item -ItemType SymbolicLink -Path (Join-Path $out 'alias') -Target $repository
                Join-Path $alias.FullName 'catalog.db' } }
    ) {
        $other = New-RandomFile -Path (Join-Path $files 'other.raw') -Length 1000 | New-Image | Send-ImageData
        $path = & $Target
        $before = (Get-FileHash -LiteralPath $path).Hash

        $image | Save-ImageData -Path $path -Force -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures[0].FullyQualifiedErrorId | Should -BeLike 'InvalidDestination,*'
        (Get-FileHash -LiteralPath $path).Hash | Should -Be $before
        (Get-Image -Id $other.Id).Status | Should -Be 'Active'
    }

    It 'creates the file as the umask allows' {
        $umask = [Convert]::ToInt32((& sh -c umask), 8)
        $target = Join-Path $out 'new.raw'

        $image | Save-ImageData -Path $target

        [int](Get-Item -LiteralPath $target).UnixFileMode | Should -Be (0x1B6 -band -bnot $umask)
    }

    It 'reports a missing folder as such, without the hidden partial name' {
        $target = Join-Path $out 'missing/disk.raw'

        $image | Save-ImageData -Path $target -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures[0].FullyQualifiedErrorId | Should -BeLike 'DestinationFolderNotFound,*'
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        "$($failures[0])" | Should -Not -BeLike '*.partial*'
        "$($failures[0])" | Should -BeLike "*$(Join-Path $out 'missing')*"
    }

    It 'removes the partial file a killed download left, but not one a live download holds' {
        $dead = Join-Path $out ('.disk.raw.999999.{0}.partial' -f [guid]::NewGuid().ToString('N'))
        $live = Join-Path $out ('.disk.raw.{0}.{1}.partial' -f $PID, [guid]::NewGuid().ToString('N'))
        Set-Content -LiteralPath $dead, $live -Value 'half'
        # A live download's writer: holds the file's flock until killed (exec keeps one process).
        $holder = Start-Process -FilePath sh -ArgumentList '-c', "`"exec 9>>'$live'; flock 9; exec sleep 120`"" -PassThru
        try {
            Wait-Until { (& sh -c "flock -n '$live' true; echo `$?") -ne '0' } | Should -BeTrue

            $image | Save-ImageData -Path (Join-Path $out 'disk.raw')

            Test-Path -LiteralPath $dead | Should -BeFalse
            Test-Path -LiteralPath $live | Should -BeTrue
            Get-ExternalHash (Join-Path $out 'disk.raw') md5 | Should -Be $image.Checksum
        }
        finally {
            Stop-Process -Id $holder.Id -Force -ErrorAction Ignore
        }
    }
}
