# Files inside the repository folder are ImagePs's own: a link, FIFO or hard link planted at their
# path never makes ImagePs write to (or create) another file, and an upload's lease is the locked
# file itself, so a live upload is never "recovered" under its writer. Embedded configuration only:
# these are the files of SQLite + the filesystem store (PostgreSQL leases are advisory locks).

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1

    function Invoke-Refused {
        param([scriptblock] $Command)
        $ErrorActionPreference = 'Stop'
        try { & $Command | Out-Null }
        catch { return $_ }
        $null
    }

    function New-Victim {
        # A file outside the repository that an attacker wants ImagePs to overwrite.
        $path = Join-Path $TestDrive ('victim-' + [guid]::NewGuid().ToString('N'))
        Set-Content -LiteralPath $path -Value 'precious' -NoNewline
        $path
    }

    function Set-CatalogSaving {
        # As a crashed uploader leaves it, written from outside so that ImagePs does not recover first.
        param([guid] $Id)
        Invoke-CatalogQuery -Sql "UPDATE images SET status = 'saving' WHERE id = '$Id'" | Out-Null
    }
}

Describe 'Links and odd files planted inside the repository' -Skip:(-not $IsLinux) {
    BeforeEach {
        $repository = Use-TestRepository
        $files = Join-Path $TestDrive ('files-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $files | Out-Null
        $data = New-RandomFile -Path (Join-Path $files 'data.raw') -Length 100000
    }

    It 'Send-ImageData refuses a symlinked upload lock file and leaves its target untouched' {
        $image = New-Image -Name linked -DiskFormat raw
        $victim = New-Victim
        New-Item -ItemType Directory -Path (Join-Path $repository 'uploads') -Force | Out-Null
        New-Item -ItemType SymbolicLink -Path (Join-Path $repository "uploads/$($image.Id).lock") -Target $victim | Out-Null

        $failure = Invoke-Refused { Send-ImageData -Id $image.Id -Path $data.FullName }

        $failure.FullyQualifiedErrorId | Should -BeLike 'UnsafeRepositoryFile,*'
        $failure.CategoryInfo.Category | Should -Be 'SecurityError'
        "$failure" | Should -BeLike "*$($image.Id).lock*"
        Get-Content -LiteralPath $victim -Raw | Should -Be 'precious'
        (Get-Image -Id $image.Id).Status | Should -Be 'Queued'
    }

    It 'Send-ImageData refuses a hard link planted as the lock file' {
        $image = New-Image -Name hardlinked -DiskFormat raw
        $victim = New-Victim
        New-Item -ItemType Directory -Path (Join-Path $repository 'uploads') -Force | Out-Null
        New-Item -ItemType HardLink -Path (Join-Path $repository "uploads/$($image.Id).lock") -Target $victim | Out-Null

        $failure = Invoke-Refused { Send-ImageData -Id $image.Id -Path $data.FullName }

        $failure.FullyQualifiedErrorId | Should -BeLike 'UnsafeRepositoryFile,*'
        Get-Content -LiteralPath $victim -Raw | Should -Be 'precious'
    }

    It 'a FIFO planted as the lock file is refused at once, not waited on' {
        $image = New-Image -Name fifo -DiskFormat raw
        New-Item -ItemType Directory -Path (Join-Path $repository 'uploads') -Force | Out-Null
        & mkfifo (Join-Path $repository "uploads/$($image.Id).lock")

        $failure = Invoke-Refused { Send-ImageData -Id $image.Id -Path $data.FullName }

        $failure.FullyQualifiedErrorId | Should -BeLike 'UnsafeRepositoryFile,*'
    }

    It 'crash recovery in a fresh Get-Image does not write through a symlinked lock file' {
        $image = New-Image -Name crashed -DiskFormat raw
        Set-CatalogSaving -Id $image.Id
        $victim = New-Victim
        New-Item -ItemType Directory -Path (Join-Path $repository 'uploads') -Force | Out-Null
        New-Item -ItemType SymbolicLink -Path (Join-Path $repository "uploads/$($image.Id).lock") -Target $victim | Out-Null

        $run = Invoke-FreshPwsh -Command "Import-Module '$ManifestPath'; (Get-Image -Id '$($image.Id)' -WarningVariable w -WarningAction SilentlyContinue).Status; `$w"

        Get-Content -LiteralPath $victim -Raw | Should -Be 'precious'
        $run.Output[0] | Should -Be 'Saving'
        ($run.Output -join "`n") | Should -BeLike "*$($image.Id).lock*"
    }

    It 'a symlinked <File> is neither appended to nor created; the change itself is made, with a warning' -ForEach @(
        @{ File = 'events.jsonl'; Existing = $true }
        @{ File = 'events.lock'; Existing = $true }
        @{ File = 'events.lock'; Existing = $false }
    ) {
        New-Image -Name first | Out-Null
        $victim = New-Victim
        if (-not $Existing) { Remove-Item -LiteralPath $victim }
        Remove-Item -LiteralPath (Join-Path $repository $File) -ErrorAction Ignore
        New-Item -ItemType SymbolicLink -Path (Join-Path $repository $File) -Target $victim | Out-Null

        $second = New-Image -Name second -WarningVariable warnings -WarningAction SilentlyContinue

        $second.Name | Should -Be 'second'
        "$warnings" | Should -BeLike "*$File*"
        if ($Existing) { Get-Content -LiteralPath $victim -Raw | Should -Be 'precious' }
        else { Test-Path -LiteralPath $victim | Should -BeFalse }
    }

    It 'refuses a symlinked <File> before SQLite opens it' -ForEach @(
        @{ File = 'catalog.db' }
        @{ File = 'catalog.db-wal' }
    ) {
        New-Image -Name first | Out-Null
        $victim = New-Victim
        $path = Join-Path $repository $File
        if ($File -eq 'catalog.db') { Move-Item -LiteralPath $path -Destination $victim -Force }
        else { Remove-Item -LiteralPath $path -ErrorAction Ignore }
        New-Item -ItemType SymbolicLink -Path $path -Target $victim | Out-Null
        $before = (Get-FileHash -LiteralPath $victim).Hash

        $run = Invoke-FreshPwsh -Command "Import-Module '$ManifestPath'; try { Get-Image -ErrorAction Stop | Out-Null; 'no error' } catch { `$_.FullyQualifiedErrorId; `"`$_`" }"

        $run.Output[0] | Should -BeLike 'UnsafeRepositoryFile,*'
        $run.Output[1] | Should -BeLike "*$File*"
        (Get-FileHash -LiteralPath $victim).Hash | Should -Be $before
    }
}

Describe 'An upload lease is the locked file itself' -Skip:(-not $IsLinux) {
    BeforeEach {
        $repository = Use-TestRepository
        $files = Join-Path $TestDrive ('files-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $files | Out-Null
    }

    It 'a live upload survives crash recovery run <Case>, and finishes Active with the right hashes' -ForEach @(
        @{ Case = 'after its lock file was deleted'; DeleteLock = $true; Environment = @{} }
        @{ Case = 'with .NET file locking disabled'; DeleteLock = $false; Environment = @{ DOTNET_SYSTEM_IO_DISABLEFILELOCKING = '1' } }
    ) {
        $image = New-Image -Name live -DiskFormat raw
        $feed = Join-Path $files 'feed'
        $writer = Start-FifoWriter -Path $feed -Bytes 12MB
        $child = Start-ChildUpload -Id $image.Id -Path $feed
        try {
            Wait-Until { @(Get-UploadInProgress | Where-Object Length -GT 0).Count -eq 1 } | Should -BeTrue
            $lock = Join-Path $repository "uploads/$($image.Id).lock"
            Test-Path -LiteralPath $lock | Should -BeTrue
            if ($DeleteLock) { Remove-Item -LiteralPath $lock }

            $run = Invoke-FreshPwsh -Environment $Environment -Command "Import-Module '$ManifestPath'; (Get-Image -Id '$($image.Id)' -WarningAction SilentlyContinue).Status"

            $run.Output[-1] | Should -Be 'Saving'
            @(Get-UploadInProgress | Where-Object Length -GT 0).Count | Should -Be 1
        }
        finally {
            Stop-Process -Id $writer.Id -Force -ErrorAction Ignore   # end of data: the upload completes
        }
        $finished = $child.WaitForExit(60000)
        if (-not $finished) { Stop-Process -Id $child.Id -Force }
        $finished | Should -BeTrue
        $child.ExitCode | Should -Be 0

        $done = Get-Image -Id $image.Id
        $done.Status | Should -Be 'Active'
        $done.Size | Should -Be 12MB
        $zeros = Join-Path $files 'zeros'
        [IO.File]::WriteAllBytes($zeros, [byte[]]::new(12MB))
        $done.Checksum | Should -Be (Get-ExternalHash $zeros md5)
        $done.OsHashValue | Should -Be (Get-ExternalHash $zeros sha512)
    }
}
