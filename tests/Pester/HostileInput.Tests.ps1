BeforeAll {
    . $PSScriptRoot/TestSupport.ps1

    function Get-RepositorySnapshot {
        # What must not change when a command is refused: every record and every stored file.
        $records = Get-Image | Sort-Object Id | ForEach-Object { '{0} {1} {2} {3} {4}' -f $_.Id, $_.Status, $_.Name, $_.Size, ($_.Tags -join ',') }
        $files = Get-StoreFile | Sort-Object Name | ForEach-Object { '{0} {1}' -f $_.Name, $_.Length }
        ($records + $files) -join "`n"
    }

    function Invoke-Refused {
        # Runs a command that must fail; returns its first error record, terminating or not.
        param([scriptblock] $Command)
        $ErrorActionPreference = 'Stop'
        try { & $Command | Out-Null }
        catch { return $_ }
        $null
    }
}

Describe 'Hostile and wrong input' {
    BeforeAll {
        Use-TestRepository | Out-Null
        $files = Join-Path $TestDrive 'hostile'
        New-Item -ItemType Directory -Path $files | Out-Null
        $data = New-RandomFile -Path (Join-Path $files 'data.raw') -Length 200000
        $queued = New-Image -Name queued -DiskFormat raw
        $active = $data | New-Image -Name active | Send-ImageData
        $folder = New-Item -ItemType Directory -Path (Join-Path $files 'a-folder')
        $unreadable = if ((& id -u) -eq '0') { '/proc/self/mem' } else {
            $locked = New-RandomFile -Path (Join-Path $files 'locked.raw') -Length 100
            & chmod 000 $locked.FullName
            $locked.FullName
        }
        $unreadableError = if ((& id -u) -eq '0') { 'SourceReadFailed' } else { 'SourceAccessDenied' }
    }

    It 'refuses <Case> with <ErrorId> and changes nothing' -ForEach @(
        @{ Case = 'a malformed id'; ErrorId = 'CannotConvertArgumentNoMessage'; Command = { Get-Image -Id 'not-a-guid' } }
        @{ Case = 'an id that does not exist'; ErrorId = 'ImageNotFound'; Command = { Remove-Image -Id ([guid]::NewGuid()) -Force } }
        @{ Case = 'the empty id'; ErrorId = 'InvalidImageId'; Command = { New-Image -Id ([guid]::Empty) -Name x } }
        @{ Case = 'an unknown disk format'; ErrorId = 'InvalidDiskFormat'; Command = { New-Image -Name x -DiskFormat vmdx } }
        @{ Case = 'an unknown container format'; ErrorId = 'InvalidContainerFormat'; Command = { New-Image -Name x -ContainerFormat zip } }
        @{ Case = 'a 256-character name'; ErrorId = 'InvalidImageName'; Command = { New-Image -Name ('n' * 256) } }
        @{ Case = 'a name with a terminal escape sequence'; ErrorId = 'InvalidImageName'; Command = { New-Image -Name "`e[31mred" } }
        @{ Case = 'a 256-character tag'; ErrorId = 'InvalidTag'; Command = { New-Image -Name x -Tag ('t' * 256) } }
        @{ Case = 'a 65536-character property value'; ErrorId = 'InvalidProperty'; Command = { New-Image -Name x -Property @{ note = 'v' * 65536 } } }
        @{ Case = 'a reserved property name'; ErrorId = 'ReservedProperty'; Command = { New-Image -Name x -Property @{ locations = 'file:///etc/shadow' } } }
        @{ Case = 'a wildcard with an unclosed bracket'; ErrorId = 'InvalidWildcardPattern'; Command = { Get-Image -Name 'img[0-9' } }
        @{ Case = 'a file that does not exist'; ErrorId = 'SourceFileNotFound'; Command = { New-Image -Path (Join-Path $files 'missing.qcow2') } }
        @{ Case = 'a directory given as a file'; ErrorId = 'SourceIsDirectory'; Command = { $queued | Send-ImageData -Path $folder.FullName } }
        @{ Case = 'a file that cannot be read'; ErrorId = 'UNREADABLE'; Command = { $queued | Send-ImageData -Path $unreadable } }
        @{ Case = 'a declared size the file does not have'; ErrorId = 'ImageSizeMismatch'; Command = { $queued | Send-ImageData -Path $data.FullName -Size 1 } }
        @{ Case = 'a path on another provider'; ErrorId = 'PathNotFileSystem'; Command = { New-Image -Path 'Env:PATH' } }
        @{ Case = 'data for an Active image'; ErrorId = 'InvalidStatusTransition'; Command = { $active | Send-ImageData -Path $data.FullName } }
        @{ Case = 'the data of an image that has none'; ErrorId = 'ImageNotActive'; Command = { $queued | Save-ImageData -Path (Join-Path $files 'out.raw') } }
        @{ Case = 'removing an image that is protected'; ErrorId = 'ImageProtected'; Command = { $active | Set-Image -Protected $true; $active | Remove-Image -Force } }
    ) {
        $before = Get-RepositorySnapshot
        $expected = if ($ErrorId -eq 'UNREADABLE') { $unreadableError } else { $ErrorId }

        $record = Invoke-Refused $Command

        $record | Should -Not -BeNullOrEmpty -Because "$Case must be refused"
        $record.FullyQualifiedErrorId | Should -BeLike "$expected,*"
        $record.CategoryInfo.Category | Should -Not -Be 'NotSpecified'
        Get-RepositorySnapshot | Should -Be $before
        Test-Path (Join-Path $files 'out.raw') | Should -BeFalse
        Get-StoreFile | Where-Object Name -Like '*.partial' | Should -BeNullOrEmpty
    }

    It 'refuses a file that shrinks during the upload with ImageSizeMismatch and keeps nothing' -Skip:(-not (Get-Command truncate -ErrorAction Ignore)) {
        $growing = Join-Path $files 'shrinking.raw'
        & truncate -s 2G $growing   # sparse: reading it takes seconds, writing it nothing
        $image = New-Image -Name shrinking -DiskFormat raw
        $before = Get-RepositorySnapshot
        $shell = [powershell]::Create()
        $null = $shell.AddScript("`$env:IMAGEPS_HOME = '$env:IMAGEPS_HOME'; `$ProgressPreference = 'SilentlyContinue'; Import-Module '$ManifestPath'; Send-ImageData -Id '$($image.Id)' -Path '$growing'")
        $run = $shell.BeginInvoke()
        try {
            Wait-Until { Get-StoreFile | Where-Object Name -Like '*.partial' } -TimeoutSeconds 30 | Should -BeTrue
            & truncate -s 1M $growing
            $run.AsyncWaitHandle.WaitOne(60000) | Should -BeTrue
            $shell.EndInvoke($run) | Should -BeNullOrEmpty
            $shell.Streams.Error[0].FullyQualifiedErrorId | Should -BeLike 'ImageSizeMismatch,*'
        }
        finally { $shell.Dispose() }

        Get-RepositorySnapshot | Should -Be $before
        (Get-Image -Id $image.Id).Status | Should -Be 'Queued'
        Get-StoreFile | Where-Object Name -Like '*.partial' | Should -BeNullOrEmpty
    }
}

Describe 'Hostile values that are stored, never followed' {
    BeforeEach {
        Use-TestRepository | Out-Null
        $files = Join-Path $TestDrive ('accepted-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $files | Out-Null
    }

    It 'keeps a path-like name as a name and writes downloads inside the folder asked for' {
        $data = New-RandomFile -Path (Join-Path $files 'data.raw') -Length 1000
        $image = $data | New-Image -Name '../../etc/passwd' | Send-ImageData
        $out = New-Item -ItemType Directory -Path (Join-Path $files 'out')

        $written = $image | Save-ImageData -Destination $out.FullName -PassThru

        (Get-Image -Id $image.Id).Name | Should -Be '../../etc/passwd'
        $written.DirectoryName | Should -Be $out.FullName
        $written.Name | Should -Be '_.._etc_passwd.raw'
        (Get-StoreFile).Name | Should -Be @("$($image.Id)")
    }

    It 'keeps wildcard and SQL characters in names literally' {
        $names = 'a*b?[c]', "x'; DROP TABLE images; --", '100%_done'
        $names | ForEach-Object { New-Image -Name $_ } | Out-Null

        (Get-Image).Name | Sort-Object | Should -Be ($names | Sort-Object)
        (Get-Image -Name 'a`*b`?`[c`]').Name | Should -Be 'a*b?[c]'
        (Get-Image -Name "x'; DROP TABLE images; --").Name | Should -Be "x'; DROP TABLE images; --"
        (Get-Image -Name '100%_done').Name | Should -Be '100%_done'
        Invoke-CatalogQuery -Sql 'PRAGMA integrity_check' | Should -Be 'ok'
    }

    It 'accepts a zero-byte file as an empty raw image' {
        $empty = New-Item -ItemType File -Path (Join-Path $files 'empty.raw')

        $image = $empty | New-Image | Send-ImageData

        $image.Status | Should -Be 'Active'
        $image.Size | Should -Be 0
        $image.Checksum | Should -Be (Get-ExternalHash -Path $empty.FullName -Algorithm md5)
        $image.VirtualSize | Should -Be 0
    }
}

Describe 'Configuration files that are not regular files' -Skip:($IsWindows -or -not (Get-Command mkfifo -ErrorAction Ignore)) {
    BeforeAll {
        function Invoke-InFreshSession {
            # A real pwsh process, bounded: a read that waits for a FIFO writer must fail this test, not hang the run.
            param([string] $Repository)
            $script = "`$env:IMAGEPS_HOME = '$Repository'; Import-Module '$ManifestPath'; try { Get-Image -ErrorAction Stop | Out-Null; 'no error' } catch { `$_.FullyQualifiedErrorId; `$_.Exception.Message }"
            $start = [System.Diagnostics.ProcessStartInfo]::new((Get-PwshPath))
            foreach ($argument in '-NoProfile', '-NonInteractive', '-Command', $script) { $start.ArgumentList.Add($argument) }
            $start.RedirectStandardOutput = $true
            $process = [System.Diagnostics.Process]::Start($start)
            $output = $process.StandardOutput.ReadToEndAsync()
            if (-not $process.WaitForExit(120000)) {
                $process.Kill($true)
                throw "pwsh did not finish within 120 s reading the configuration of $Repository"
            }
            $output.Result -split "`n" | Where-Object { $_ }
        }
    }

    It 'refuses <Case> with <ErrorId>, naming the file' -ForEach @(
        @{ Case = 'imageps.json as a FIFO'; File = 'imageps.json'; Kind = 'fifo'; ErrorId = 'InvalidSettings' }
        @{ Case = 'imageps.json as a folder'; File = 'imageps.json'; Kind = 'folder'; ErrorId = 'InvalidSettings' }
        @{ Case = 'imageps.json linked to /dev/zero'; File = 'imageps.json'; Kind = 'zero'; ErrorId = 'InvalidSettings' }
        @{ Case = 'policy.json as a FIFO'; File = 'policy.json'; Kind = 'fifo'; ErrorId = 'InvalidPolicy' }
        @{ Case = 'policy.json linked to /dev/zero'; File = 'policy.json'; Kind = 'zero'; ErrorId = 'InvalidPolicy' }
        @{ Case = 'the protections file as a FIFO'; File = 'protections.conf'; Kind = 'fifo'; ErrorId = 'InvalidPropertyProtections' }
    ) {
        $repository = Join-Path $TestDrive ('config-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $repository | Out-Null
        if ($File -eq 'protections.conf') { Set-Content -LiteralPath (Join-Path $repository 'imageps.json') -Value '{ "PropertyProtectionFile": "protections.conf" }' }
        $path = Join-Path $repository $File
        switch ($Kind) {
            'fifo' { & mkfifo $path }
            'folder' { New-Item -ItemType Directory -Path $path | Out-Null }
            'zero' { New-Item -ItemType SymbolicLink -Path $path -Target /dev/zero | Out-Null }
        }

        $result = Invoke-InFreshSession -Repository $repository

        $result[0] | Should -BeLike "$ErrorId,*"
        ($result -join ' ') | Should -BeLike "*$path*"
    }
}
