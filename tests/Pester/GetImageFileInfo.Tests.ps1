BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
}

Describe 'Get-ImageFileInfo' {
    BeforeAll {
        $home_ = Use-TestRepository
        $files = Join-Path $TestDrive 'files'
        New-Item -ItemType Directory -Path $files | Out-Null
    }

    It 'reports <Format> (<Variant>) made by qemu-img with its virtual size, safe' -ForEach @(
        @{ Format = 'qcow2'; File = 'disk.qcow2'; Options = @(); Variant = 'v3' }
        @{ Format = 'vmdk'; File = 'disk.vmdk'; Options = @('subformat=streamOptimized'); Variant = 'streamOptimized' }
        @{ Format = 'vmdk'; File = 'mono.vmdk'; Options = @('subformat=monolithicSparse'); Variant = 'monolithicSparse' }
        @{ Format = 'vhd'; QemuFormat = 'vpc'; File = 'dyn.vhd'; Options = @('subformat=dynamic'); Variant = 'dynamic' }
        @{ Format = 'vhd'; QemuFormat = 'vpc'; File = 'fixed.vhd'; Options = @('subformat=fixed'); Variant = 'fixed' }
        @{ Format = 'vhdx'; File = 'disk.vhdx'; Options = @(); Variant = 'dynamic' }
        @{ Format = 'vhdx'; File = 'fixed.vhdx'; Options = @('subformat=fixed'); Variant = 'fixed' }
        @{ Format = 'vdi'; File = 'disk.vdi'; Options = @(); Variant = 'dynamic' }
        @{ Format = 'vdi'; File = 'static.vdi'; Options = @('static=on'); Variant = 'fixed' }
        @{ Format = 'raw'; File = 'disk.raw'; Options = @(); Variant = $null }
    ) {
        $qemuFormat = if ($QemuFormat) { $QemuFormat } else { $Format }
        $made = New-QemuImage -Format $qemuFormat -Path (Join-Path $files $File) -Size '32M' -Options $Options

        $info = Get-ImageFileInfo -LiteralPath $made.FullName

        $info.PSTypeNames | Should -Contain 'ImagePs.ImageFileInfo'
        $info.Path | Should -Be $made.FullName
        $info.Format | Should -Be $Format
        $info.Variant | Should -Be $Variant
        $info.FileSize | Should -Be $made.Length
        $info.VirtualSize | Should -Be (Get-QemuVirtualSize -Path $made.FullName -Format $qemuFormat)
        $info.Safe | Should -BeTrue
        $info.Findings | Should -BeNullOrEmpty
        $info.Checksum | Should -BeNullOrEmpty
    }

    It 'reports a GPT disk partitioned by sgdisk, and an ISO made by xorriso, as safe' {
        $disk = Join-Path $files 'parted.img'
        & qemu-img create -q -f raw $disk 8M
        & sgdisk --new=1:2048:0 --typecode=1:8300 $disk | Out-Null
        $tree = New-Item -ItemType Directory -Path (Join-Path $files 'iso-tree') -Force
        Set-Content -LiteralPath (Join-Path $tree 'README') -Value 'hello'
        $iso = Join-Path $files 'disc.iso'
        & xorriso -as mkisofs -quiet -o $iso $tree.FullName 2>$null

        $gpt, $disc = Get-ImageFileInfo -LiteralPath $disk, $iso

        $gpt.Format | Should -Be 'gpt'
        $gpt.Variant | Should -Be 'gpt'
        $gpt.VirtualSize | Should -Be 8MB
        $gpt.Safe | Should -BeTrue
        $disc.Format | Should -Be 'iso'
        $disc.VirtualSize | Should -Be (Get-Item -LiteralPath $iso).Length
        $disc.Safe | Should -BeTrue
    }

    It 'reports a qed file as unsafe, naming the format, as uploads refuse it' {
        $qed = New-QemuImage -Format qed -Path (Join-Path $files 'old.qed') -Size '16M' -WriteMiB 0

        $info = Get-ImageFileInfo -LiteralPath $qed.FullName

        $info.Format | Should -Be 'qed'
        $info.VirtualSize | Should -Be (Get-QemuVirtualSize -Path $qed.FullName -Format qed)
        $info.Safe | Should -BeFalse
        $info.Findings.Check | Should -Contain 'qed'
    }

    It 'names the backing file of a qcow2 in its finding, and creates nothing' {
        $base = New-QemuImage -Format qcow2 -Path (Join-Path $files 'base.qcow2') -WriteMiB 0
        $top = Join-Path $files 'top.qcow2'
        & qemu-img create -q -f qcow2 -b $base.FullName -F qcow2 $top
        $LASTEXITCODE | Should -Be 0

        $info = Get-Item -LiteralPath $top | Get-ImageFileInfo

        $info.Safe | Should -BeFalse
        $info.Findings.Check | Should -Contain 'backing-file'
        ($info.Findings.Message -join ' ') | Should -Match ([regex]::Escape($base.FullName))
        Get-Image | Should -BeNullOrEmpty
        Get-StoreFile | Should -BeNullOrEmpty
    }

    It 'with -Hash gives the MD5 and SHA-512 of the whole file' {
        $file = New-RandomFile -Path (Join-Path $files 'hashed.raw') -Length 3MB

        $info = Get-ImageFileInfo -Path $file.FullName -Hash

        $info.Checksum | Should -Be (Get-ExternalHash $file.FullName md5)
        $info.OsHashAlgo | Should -Be 'sha512'
        $info.OsHashValue | Should -Be (Get-ExternalHash $file.FullName sha512)
    }

    It 'expands wildcards in -Path and takes files from Get-ChildItem' {
        $dir = Join-Path $files 'many'
        New-Item -ItemType Directory -Path $dir | Out-Null
        New-QemuImage -Format qcow2 -Path (Join-Path $dir 'a.qcow2') | Out-Null
        New-QemuImage -Format qcow2 -Path (Join-Path $dir 'b.qcow2') | Out-Null
        New-RandomFile -Path (Join-Path $dir 'c.txt') -Length 100 | Out-Null

        (Get-ImageFileInfo -Path (Join-Path $dir '*.qcow2')).Format | Should -Be @('qcow2', 'qcow2')
        (Get-ChildItem -LiteralPath $dir | Get-ImageFileInfo).Format | Should -Be @('qcow2', 'qcow2', 'raw')
    }

    It 'gives <ErrorId> for <Case>, and goes on with the next path' -ForEach @(
        @{ Case = 'a missing file'; Name = 'missing.qcow2'; ErrorId = 'SourceFileNotFound'; Category = 'ObjectNotFound' }
        @{ Case = 'a folder'; Name = ''; ErrorId = 'SourceIsDirectory'; Category = 'InvalidArgument' }
    ) {
        $good = New-RandomFile -Path (Join-Path $files 'good.raw') -Length 512

        $out = Get-ImageFileInfo -LiteralPath (Join-Path $files $Name), $good.FullName -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        $failures[0].CategoryInfo.Category | Should -Be $Category
        $out.Path | Should -Be $good.FullName
    }

    It 'shows a table with the file name, format, variant, sizes and safety' {
        $made = New-QemuImage -Format qcow2 -Path (Join-Path $files 'shown.qcow2') -Size '32M'

        $table = Get-ImageFileInfo -LiteralPath $made.FullName | Out-String -Width 120

        $table | Should -Match 'Name\s+Format\s+Variant\s+FileSize\s+VirtualSize\s+Safe'
        $table | Should -Match ('shown\.qcow2\s+qcow2\s+v3\s+{0}\s+33554432\s+True' -f $made.Length)
    }
}
