BeforeDiscovery {
    . $PSScriptRoot/TestBackends.ps1
}

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1

    function New-BackedQcow2 {
        # A qcow2 whose backing file is another file: what CVE-style uploads look like.
        param([string] $Folder)
        $base = New-QemuImage -Format qcow2 -Path (Join-Path $Folder 'base.qcow2') -WriteMiB 0
        $top = Join-Path $Folder 'top.qcow2'
        & qemu-img create -q -f qcow2 -b $base.FullName -F qcow2 $top
        if ($LASTEXITCODE) { throw 'qemu-img create failed' }
        Get-Item -LiteralPath $top
    }
}

Describe 'Unsafe images (<TestBackend>)' -ForEach (Get-TestBackend) {
    BeforeEach {
        Use-TestRepository | Out-Null
        $files = Join-Path $TestDrive ('files-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $files | Out-Null
    }

    It 'Send-ImageData refuses a qcow2 with a backing file: UnsafeImage, image Queued, nothing stored' {
        $top = New-BackedQcow2 -Folder $files
        $image = New-Image -Name backed -DiskFormat qcow2

        Send-ImageData -Id $image.Id -Path $top.FullName -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'UnsafeImage,*'
        $failures[0].CategoryInfo.Category | Should -Be 'SecurityError'
        $failures[0].Exception.Message | Should -Match 'backing file'
        $failures[0].Exception.Message | Should -Match ([regex]::Escape((Join-Path $files 'base.qcow2')))
        $failures[0].Exception.Findings.Check | Should -Be 'backing-file'
        $failures[0].TargetObject.Status | Should -Be 'Queued'
        $after = Get-Image -Id $image.Id
        $after.Status | Should -Be 'Queued'
        $after.Size | Should -BeNullOrEmpty
        Get-StoreFile | Should -BeNullOrEmpty
    }

    It 'Send-ImageData refuses a vmdk descriptor that names a host file' {
        $evil = Join-Path $files 'evil.vmdk'
        Set-Content -LiteralPath $evil -Value "# Disk DescriptorFile`nversion=1`ncreateType=`"monolithicFlat`"`nRW 8 FLAT `"/etc/passwd`" 0"
        $image = New-Image -Name evil -DiskFormat vmdk

        Send-ImageData -Id $image.Id -Path $evil -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures[0].FullyQualifiedErrorId | Should -BeLike 'UnsafeImage,*'
        $failures[0].Exception.Message | Should -Match '/etc/passwd'
        (Get-Image -Id $image.Id).Status | Should -Be 'Queued'
        Get-StoreFile | Should -BeNullOrEmpty
    }

    It 'New-Image refuses an unsafe file and creates nothing, the pipeline going on' {
        $top = New-BackedQcow2 -Folder $files
        New-QemuImage -Format qcow2 -Path (Join-Path $files 'good.qcow2') | Out-Null

        $images = Get-ChildItem -LiteralPath $files -Filter *.qcow2 | Where-Object Name -NE 'base.qcow2' |
            New-Image -ErrorVariable failures -ErrorAction SilentlyContinue

        $images.Name | Should -Be 'good'
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'UnsafeImage,*'
        $failures[0].CategoryInfo.Category | Should -Be 'SecurityError'
        $failures[0].Exception.Message | Should -Match ([regex]::Escape($top.FullName))
        (Get-Image).Name | Should -Be 'good'
    }

    It 'the safety checks stay on when RequireDiskFormatMatch is false' {
        Use-TestRepository -Settings '{ "RequireDiskFormatMatch": false }' | Out-Null
        $top = New-BackedQcow2 -Folder $files
        $image = New-Image -Name backed -DiskFormat raw

        Send-ImageData -Id $image.Id -Path $top.FullName -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures[0].FullyQualifiedErrorId | Should -BeLike 'UnsafeImage,*'
        Get-StoreFile | Should -BeNullOrEmpty
    }
}

Describe 'Declared and detected disk formats (<TestBackend>)' -ForEach (Get-TestBackend) {
    BeforeEach {
        Use-TestRepository | Out-Null
        $files = Join-Path $TestDrive ('files-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $files | Out-Null
    }

    It 'Send-ImageData refuses content of another format: DiskFormatMismatch, image Queued, nothing stored' {
        $file = New-QemuImage -Format qcow2 -Path (Join-Path $files 'disk.qcow2')
        $image = New-Image -Name declared-vhdx -DiskFormat vhdx

        $image | Send-ImageData -Path $file.FullName -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        $failures[0].FullyQualifiedErrorId | Should -BeLike 'DiskFormatMismatch,*'
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $failures[0].Exception.Message | Should -Match 'declared as vhdx but its content is qcow2'
        $failures[0].TargetObject.Status | Should -Be 'Queued'
        (Get-Image -Id $image.Id).Status | Should -Be 'Queued'
        Get-StoreFile | Should -BeNullOrEmpty
    }

    It 'New-Image refuses a -DiskFormat the file does not have' {
        $file = New-QemuImage -Format vhdx -Path (Join-Path $files 'disk.vhdx')

        $file | New-Image -DiskFormat qcow2 -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        $failures[0].FullyQualifiedErrorId | Should -BeLike 'DiskFormatMismatch,*'
        Get-Image | Should -BeNullOrEmpty
    }

    It 'accepts the mismatch with a warning when RequireDiskFormatMatch is false' {
        Use-TestRepository -Settings '{ "RequireDiskFormatMatch": false }' | Out-Null
        $file = New-QemuImage -Format qcow2 -Path (Join-Path $files 'disk.qcow2') -Size 64M
        $image = New-Image -Name lenient -DiskFormat raw

        $result = $image | Send-ImageData -Path $file.FullName -WarningVariable warnings -WarningAction SilentlyContinue

        $result.Status | Should -Be 'Active'
        $result.VirtualSize | Should -Be (Get-QemuVirtualSize -Path $file.FullName -Format qcow2)
        $warnings | Should -Match 'declared as raw but its content is qcow2'
    }

    It 'rejects an unknown RequireDiskFormatMatch or VirtualSizeProbe value naming the key' {
        Use-TestRepository -Settings '{ "VirtualSizeProbe": "sometimes" }' | Out-Null

        { Get-Image -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidSettings,*'
        try { Get-Image } catch { $_.Exception.Message | Should -Match 'VirtualSizeProbe' }
    }
}

Describe 'VirtualSize through the module (<TestBackend>)' -ForEach (Get-TestBackend) {
    BeforeAll {
        Use-TestRepository | Out-Null
        $files = Join-Path $TestDrive 'formats'
        New-Item -ItemType Directory -Path $files | Out-Null
        $made = @(
            @{ File = 'a.qcow2'; Driver = 'qcow2'; DiskFormat = 'qcow2'; Size = '1G'; Options = @() }
            @{ File = 'b.vmdk'; Driver = 'vmdk'; DiskFormat = 'vmdk'; Size = '300M'; Options = @('subformat=streamOptimized') }
            @{ File = 'c.vhd'; Driver = 'vpc'; DiskFormat = 'vhd'; Size = '100M'; Options = @() }
            @{ File = 'd.vhd'; Driver = 'vpc'; DiskFormat = 'vhd'; Size = '20M'; Options = @('subformat=fixed') }
            @{ File = 'e.vhd'; Driver = 'vpc'; DiskFormat = 'vhd'; Size = '100M'; Options = @('force_size=on') }
            @{ File = 'f.vhdx'; Driver = 'vhdx'; DiskFormat = 'vhdx'; Size = '2G'; Options = @() }
            @{ File = 'g.vdi'; Driver = 'vdi'; DiskFormat = 'vdi'; Size = '1000000'; Options = @(); WriteMiB = 0 }
            @{ File = 'h.raw'; Driver = 'raw'; DiskFormat = 'raw'; Size = '5M'; Options = @() }
        )
        foreach ($m in $made) {
            $write = if ($m.ContainsKey('WriteMiB')) { $m.WriteMiB } else { 1 }
            New-QemuImage -Format $m.Driver -Path (Join-Path $files $m.File) -Size $m.Size -WriteMiB $write -Options $m.Options | Out-Null
        }
        $iso = Join-Path $files 'i.iso'
        $content = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'iso-content')
        Set-Content -LiteralPath (Join-Path $content 'readme.txt') -Value 'hello'
        & xorriso -as mkisofs -quiet --protective-msdos-label -o $iso $content 2>$null
        if ($LASTEXITCODE) { throw 'xorriso failed (build.ps1 installs it)' }
        $made += @{ File = 'i.iso'; Driver = 'raw'; DiskFormat = 'iso' }

        $uploaded = @(Get-ChildItem -LiteralPath $files -File | New-Image | Send-ImageData -WarningVariable warnings)
    }

    It 'uploads every format without a warning' {
        $uploaded.Count | Should -Be $made.Count
        $uploaded.Status | Sort-Object -Unique | Should -Be 'Active'
        $warnings | Should -BeNullOrEmpty
    }

    It '<File> is detected as <DiskFormat> with the VirtualSize qemu-img reports' -ForEach @(
        @{ File = 'a.qcow2'; Driver = 'qcow2'; DiskFormat = 'qcow2' }
        @{ File = 'b.vmdk'; Driver = 'vmdk'; DiskFormat = 'vmdk' }
        @{ File = 'c.vhd'; Driver = 'vpc'; DiskFormat = 'vhd' }
        @{ File = 'd.vhd'; Driver = 'vpc'; DiskFormat = 'vhd' }
        @{ File = 'e.vhd'; Driver = 'vpc'; DiskFormat = 'vhd' }
        @{ File = 'f.vhdx'; Driver = 'vhdx'; DiskFormat = 'vhdx' }
        @{ File = 'g.vdi'; Driver = 'vdi'; DiskFormat = 'vdi' }
        @{ File = 'h.raw'; Driver = 'raw'; DiskFormat = 'raw' }
        @{ File = 'i.iso'; Driver = 'raw'; DiskFormat = 'iso' }
    ) {
        $image = Get-Image -Name ([IO.Path]::GetFileNameWithoutExtension($File))
        $image.DiskFormat | Should -Be $DiskFormat
        $image.VirtualSize | Should -Be (Get-QemuVirtualSize -Path (Join-Path $files $File) -Format $Driver)
        $image.Properties.Keys | Should -Not -Contain 'imageps_virtual_size_qemu'
    }
}

Describe 'Checks as strict as Glance''s inspector (<TestBackend>)' -ForEach (Get-TestBackend) {
    BeforeAll {
        function Set-FileBytes {
            param([string] $Path, [long] $Offset, [byte[]] $Bytes)
            $stream = [IO.File]::Open($Path, 'Open', 'ReadWrite')
            try { $stream.Position = $Offset; $stream.Write($Bytes, 0, $Bytes.Length) } finally { $stream.Dispose() }
        }

        function New-GptDisk {
            # A raw disk partitioned by sgdisk (gdisk, which build.ps1 installs): protective MBR, one partition.
            param([string] $Path)
            New-QemuImage -Format raw -Path $Path -Size 16M -WriteMiB 0 | Out-Null
            & sgdisk -o -n 1:2048:0 -t 1:8300 $Path *> $null
            if ($LASTEXITCODE) { throw 'sgdisk failed (build.ps1 installs gdisk)' }
            Get-Item -LiteralPath $Path
        }

        function New-StreamVmdkWithFooter {
            # qemu-img's streamOptimized vmdk turned into one with its grain directory at the end: footer
            # marker and footer (the header's copy) before the end-of-stream marker. Returns the marker's offset.
            param([string] $Path)
            $raw = New-QemuImage -Format raw -Path "$Path.raw" -Size 16M
            & qemu-img convert -q -f raw -O vmdk -o subformat=streamOptimized $raw.FullName $Path
            if ($LASTEXITCODE) { throw 'qemu-img convert failed' }
            $header = [byte[]]::new(512)
            $stream = [IO.File]::OpenRead($Path)
            try { $stream.ReadExactly($header, 0, 512) } finally { $stream.Dispose() }
            $tail = [byte[]]::new(1536)
            $tail[0] = 1        # footer marker: one sector, size 0,
            $tail[12] = 3       # type footer
            [Array]::Copy($header, 0, $tail, 512, 512)
            $endOfStream = (Get-Item -LiteralPath $Path).Length - 512
            Set-FileBytes -Path $Path -Offset $endOfStream -Bytes $tail
            Set-FileBytes -Path $Path -Offset 56 -Bytes ([byte[]]@(0xff) * 8)
            $endOfStream
        }

        function Assert-RefusedAndQueued {
            param($Failures, $Image, [string] $ErrorId, [string] $Pattern)
            $Failures.Count | Should -Be 1
            $Failures[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
            $Failures[0].Exception.Message | Should -Match $Pattern
            $after = Get-Image -Id $Image.Id
            $after.Status | Should -Be 'Queued'
            $after.Size | Should -BeNullOrEmpty
            Get-StoreFile | Should -BeNullOrEmpty
        }
    }

    BeforeEach {
        Use-TestRepository | Out-Null
        $files = Join-Path $TestDrive ('files-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $files | Out-Null
    }

    It 'a partition table: a valid GPT disk is accepted as raw; a second entry beside the protective one is UnsafeImage (malformed)' {
        $bad = New-GptDisk -Path (Join-Path $files 'bad.raw')
        Set-FileBytes -Path $bad.FullName -Offset (446 + 16 + 4) -Bytes @(0x83)
        $image = New-Image -Name bad -DiskFormat raw

        Send-ImageData -Id $image.Id -Path $bad.FullName -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        Assert-RefusedAndQueued $failures $image 'UnsafeImage' 'GPT protective entry must be the only partition'
        $failures[0].CategoryInfo.Category | Should -Be 'SecurityError'
        $failures[0].Exception.Findings.Check | Should -Be 'malformed'
        $good = New-GptDisk -Path (Join-Path $files 'good.raw')
        (New-Image -Name good -DiskFormat raw | Send-ImageData -Path $good.FullName).Status | Should -Be 'Active'
    }

    It 'a streamOptimized vmdk with its footer: accepted when it matches the header, UnsafeImage when its version differs' {
        $bad = Join-Path $files 'bad.vmdk'
        $footer = (New-StreamVmdkWithFooter -Path $bad) + 512
        Set-FileBytes -Path $bad -Offset ($footer + 4) -Bytes @(1)
        $image = New-Image -Name bad -DiskFormat vmdk

        Send-ImageData -Id $image.Id -Path $bad -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        Assert-RefusedAndQueued $failures $image 'UnsafeImage' "footer's version \(1\) differs from the header's \(3\)"
        $failures[0].Exception.Findings.Check | Should -Be 'malformed'
        $good = Join-Path $files 'good.vmdk'
        New-StreamVmdkWithFooter -Path $good | Out-Null
        $uploaded = New-Image -Name good -DiskFormat vmdk | Send-ImageData -Path $good
        $uploaded.Status | Should -Be 'Active'
        $uploaded.VirtualSize | Should -Be (Get-QemuVirtualSize -Path $good -Format vmdk)
    }

    It 'an ISO cut before its set terminator is UnsafeImage (malformed)' {
        $iso = Join-Path $files 'cut.iso'
        $content = New-Item -ItemType Directory -Path (Join-Path $files 'content')
        Set-Content -LiteralPath (Join-Path $content 'readme.txt') -Value 'hello'
        & xorriso -as mkisofs -quiet -o $iso $content 2>$null
        if ($LASTEXITCODE) { throw 'xorriso failed (build.ps1 installs it)' }
        $stream = [IO.File]::Open($iso, 'Open', 'ReadWrite')
        try { $stream.SetLength(17 * 2048 + 100) } finally { $stream.Dispose() }   # inside the descriptor after the primary one
        $image = New-Image -Name cut -DiskFormat iso

        Send-ImageData -Id $image.Id -Path $iso -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        Assert-RefusedAndQueued $failures $image 'UnsafeImage' 'inside the volume descriptors, before their set terminator'
        $failures[0].Exception.Findings.Check | Should -Be 'malformed'
    }

    It 'ami/ari/aki: a GPT disk or a qcow2 declared so is DiskFormatMismatch; unrecognised content is accepted' {
        $disk = New-GptDisk -Path (Join-Path $files 'disk.ami')
        $image = New-Image -Name disk -DiskFormat ami
        Send-ImageData -Id $image.Id -Path $disk.FullName -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Assert-RefusedAndQueued $failures $image 'DiskFormatMismatch' 'declared as ami but its content is gpt'
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidData'

        $qcow2 = New-QemuImage -Format qcow2 -Path (Join-Path $files 'disk.aki')
        $qcow2 | New-Image -DiskFormat aki -ErrorVariable refused -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'DiskFormatMismatch,*'

        $kernel = New-RandomFile -Path (Join-Path $files 'vmlinuz') -Length 70001
        $accepted = New-Image -Name kernel -DiskFormat aki | Send-ImageData -Path $kernel.FullName
        $accepted.Status | Should -Be 'Active'
        $accepted.DiskFormat | Should -Be 'aki'
    }
}
