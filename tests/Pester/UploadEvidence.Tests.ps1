BeforeAll {
    . $PSScriptRoot/TestSupport.ps1

    function Invoke-MeasuredUpload {
        # Send-ImageData in a fresh pwsh that reads its own read() count (/proc/self/io rchar) just
        # before and after the upload; returns @{ BytesRead; Status; ErrorId }.
        param([Parameter(Mandatory)] [string] $Path)
        $command = @"
`$ProgressPreference = 'SilentlyContinue'; `$WarningPreference = 'SilentlyContinue'
Import-Module '$ManifestPath'
`$image = New-Image -Name measured -DiskFormat raw
function Get-ReadBytes { [long]((Get-Content -LiteralPath /proc/self/io | Where-Object { `$_ -like 'rchar:*' }) -replace '\D', '') }
`$before = Get-ReadBytes
`$sent = `$image | Send-ImageData -Path '$Path' -ErrorVariable failures -ErrorAction SilentlyContinue
`$after = Get-ReadBytes
"BytesRead=`$(`$after - `$before)"
"Status=`$((Get-Image -Id `$image.Id).Status)"
"ErrorId=`$(if (`$failures) { `$failures[0].FullyQualifiedErrorId.Split(',')[0] })"
"@
        $run = Invoke-FreshPwsh -Command $command
        $values = @{}
        foreach ($line in $run.Output) { if ($line -match '^(\w+)=(.*)$') { $values[$Matches[1]] = $Matches[2] } }
        if (-not $values.ContainsKey('BytesRead')) { throw "The measured upload printed: $($run.Output -join "`n")" }
        @{ BytesRead = [long]$values.BytesRead; Status = $values.Status; ErrorId = $values.ErrorId }
    }

    function Get-OpenFileFlag {
        # The open flags (octal, from /proc/<pid>/fdinfo) of each file under $Folder the process has open.
        param([Parameter(Mandatory)] [int] $ProcessId, [Parameter(Mandatory)] [string] $Folder)
        foreach ($fd in Get-ChildItem -LiteralPath "/proc/$ProcessId/fd" -ErrorAction Ignore) {
            $target = $fd.LinkTarget
            if ($target -and $target.StartsWith($Folder)) {
                $flags = Get-Content -LiteralPath "/proc/$ProcessId/fdinfo/$($fd.Name)" -ErrorAction Ignore |
                    Where-Object { $_ -like 'flags:*' }
                if ($flags) { [pscustomobject]@{ Path = $target; Flags = [Convert]::ToInt64(($flags -replace '\D', ''), 8) } }
            }
        }
    }

    function Watch-StoreWriter {
        # Starts an upload of $Source in a child pwsh and returns the open flags of the store file it
        # writes, seen while the data flows; then waits for the child and returns them with its image.
        param([Parameter(Mandatory)] [string] $Source)
        $image = New-Image -Name watched -DiskFormat raw
        $child = Start-ChildUpload -Id $image.Id -Path $Source
        $images = Join-Path $env:IMAGEPS_HOME 'images'
        $seen = @()
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while (-not $child.HasExited -and -not $seen -and [DateTime]::UtcNow -lt $deadline) {
            $seen = @(Get-OpenFileFlag -ProcessId $child.Id -Folder $images | Where-Object Path -Like '*.partial')
            if (-not $seen) { Start-Sleep -Milliseconds 5 }
        }
        $child.WaitForExit()
        @{ Flags = $seen; Image = Get-Image -Id $image.Id }
    }

    # O_DIRECT's value differs between CPU families (asm-generic: 040000; arm64: 0200000).
    $script:ODirect = if ([Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture -in 'Arm64', 'Arm') { 0x10000 } else { 0x4000 }
}

Describe 'What the documentation claims about an upload, measured' -Skip:(-not $IsLinux) {
    BeforeAll {
        $files = Join-Path $TestDrive 'files'
        New-Item -ItemType Directory -Path $files | Out-Null
        $source = New-RandomFile -Path (Join-Path $files 'source.raw') -Length 64MB
        # The copier's buffers, read from the engine so that the bounds follow the code.
        $copier = [ImagePs.Image].Assembly.GetType('ImagePs.Store.SinglePassCopier')
        $chunk = [int]$copier.GetField('ChunkArrayLength').GetValue($null)
        $chunksInFlight = [int]$copier.GetField('ChunkCount').GetValue($null)
    }

    It 'reads the source file once: the bytes read equal its size, not twice' {
        Use-TestRepository | Out-Null

        $run = Invoke-MeasuredUpload -Path $source.FullName

        $run.Status | Should -Be 'Active'
        # The catalog's pages, qemu-img's JSON and the inspector's header reads come on top: well under one chunk.
        $run.BytesRead | Should -BeGreaterOrEqual $source.Length
        $run.BytesRead | Should -BeLessThan ($source.Length + $chunk)
    }

    It 'refuses a file larger than the size cap before reading its data' {
        Use-TestRepository -Settings '{ "ImageSizeCap": 8388608 }' | Out-Null

        $run = Invoke-MeasuredUpload -Path $source.FullName

        $run.ErrorId | Should -Be 'ImageSizeCapExceeded'
        $run.Status | Should -Be 'Queued'
        $run.BytesRead | Should -BeLessThan 1MB
    }

    It 'stops reading a stream once the size cap is exceeded, leaving the image Queued' {
        Use-TestRepository -Settings '{ "ImageSizeCap": 8388608 }' | Out-Null
        # A pipe has no size to check first: the cap has to cut the stream.
        $fifo = Join-Path $files ('stream-' + [guid]::NewGuid().ToString('N'))
        $writer = Start-FifoWriter -Path $fifo -Bytes 64MB
        try {
            $run = Invoke-MeasuredUpload -Path $fifo
        }
        finally { Stop-Process -Id $writer.Id -Force -ErrorAction Ignore }

        $run.ErrorId | Should -Be 'ImageSizeCapExceeded'
        $run.Status | Should -Be 'Queued'
        # At most the chunks already in flight beyond the cap, never the whole 64 MiB.
        $run.BytesRead | Should -BeGreaterThan 8MB
        $run.BytesRead | Should -BeLessOrEqual (8MB + $chunksInFlight * $chunk + 1MB)
    }

    It 'writes the store file with direct I/O (O_DIRECT) on a disk filesystem' -Skip:((& stat -f -c %T ([IO.Path]::GetTempPath())) -in 'tmpfs', 'overlayfs') {
        Use-TestRepository | Out-Null
        $big = New-RandomFile -Path (Join-Path $files 'big.raw') -Length 256MB

        $watched = Watch-StoreWriter -Source $big.FullName

        $watched.Image.Status | Should -Be 'Active'
        $watched.Flags | Should -Not -BeNullOrEmpty -Because 'the child had its partial file open while it wrote'
        $watched.Flags | ForEach-Object { ($_.Flags -band $ODirect) | Should -Be $ODirect -Because "$($_.Path) is written past the page cache" }
        $watched.Image.Checksum | Should -Be (Get-ExternalHash -Path $big.FullName -Algorithm md5)
        Remove-Item -LiteralPath $big.FullName
    }

    It 'falls back to ordinary writes on ramfs, which refuses O_DIRECT, and stores the same data' -Skip:((& id -u) -ne '0') {
        # tmpfs takes O_DIRECT since Linux 6.6; ramfs still refuses it (EINVAL), as some FUSE and
        # network filesystems do.
        $repository = New-Item -ItemType Directory -Path (Join-Path $TestDrive ('ramfs-' + [guid]::NewGuid().ToString('N')))
        & mount -t ramfs ramfs $repository.FullName
        if ($LASTEXITCODE) { Set-ItResult -Skipped -Because 'ramfs cannot be mounted here'; return }
        $env:IMAGEPS_HOME = $repository.FullName
        try {
            $watched = Watch-StoreWriter -Source $source.FullName

            $watched.Image.Status | Should -Be 'Active'
            $watched.Flags | Should -Not -BeNullOrEmpty
            $watched.Flags | ForEach-Object { ($_.Flags -band $ODirect) | Should -Be 0 }
            Get-ExternalHash -Path (Join-Path $repository "images/$($watched.Image.Id)") -Algorithm md5 |
                Should -Be (Get-ExternalHash -Path $source.FullName -Algorithm md5)
        }
        finally {
            $env:IMAGEPS_HOME = $null
            & umount $repository.FullName 2>$null
            if ($LASTEXITCODE) { & umount -l $repository.FullName }
        }
    }

    It 'uploads with the native inspector alone when no qemu-img is on PATH' {
        Use-TestRepository | Out-Null
        $qcow2 = New-QemuImage -Format qcow2 -Path (Join-Path $files 'alone.qcow2') -Size 40M
        $expected = Get-QemuVirtualSize -Path $qcow2.FullName -Format qcow2
        # A PATH that has pwsh but no qemu-img (the one this machine has is in /usr/bin).
        $bin = Join-Path $TestDrive 'bin-without-qemu'
        New-Item -ItemType Directory -Path $bin -Force | Out-Null
        $command = "Import-Module '$ManifestPath'; `$i = Get-Item '$($qcow2.FullName)' | New-Image | Send-ImageData -ErrorVariable e -ErrorAction SilentlyContinue; " +
            "`"Found=`$([bool](Get-Command qemu-img -ErrorAction Ignore))`"; `"Status=`$(`$i.Status)`"; `"VirtualSize=`$(`$i.VirtualSize)`"; `"Errors=`$(`$e.Count)`""

        # pwsh finds its .NET through DOTNET_ROOT, not PATH.
        $dotnetRoot = Split-Path (Split-Path (Split-Path ([Runtime.InteropServices.RuntimeEnvironment]::GetRuntimeDirectory())))

        $run = Invoke-FreshPwsh -Command $command -Environment @{ PATH = $bin; DOTNET_ROOT = $dotnetRoot }

        $run.Output | Should -Contain 'Found=False'
        $run.Output | Should -Contain 'Status=Active'
        $run.Output | Should -Contain "VirtualSize=$expected"
        $run.Output | Should -Contain 'Errors=0'
    }
}
