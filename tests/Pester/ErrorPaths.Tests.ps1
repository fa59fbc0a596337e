BeforeAll {
    . $PSScriptRoot/TestSupport.ps1

    function Invoke-Refused {
        # Runs a command that must fail; returns its first error record, terminating or not.
        param([scriptblock] $Command)
        $ErrorActionPreference = 'Stop'
        try { & $Command | Out-Null }
        catch { return $_ }
        $null
    }

    # Every id ImagePs raises is in ImageErrors; PowerShell's own parameter binding ids are allowed
    # too (a value PowerShell refuses before the cmdlet runs), as for any cmdlet.
    $script:CoreIds = [ImagePs.Image].Assembly.GetType('ImagePs.Errors.ImageErrors', $true).GetMethods([Reflection.BindingFlags]'Public,NonPublic,Static') | ForEach-Object Name
    $script:BindingIds = 'ParameterArgumentValidationError', 'CannotConvertArgumentNoMessage', 'ParameterArgumentTransformationError', 'PositionalParameterNotFound', 'MissingMandatoryParameter'
}

Describe 'Names that lie' {
    BeforeAll {
        Use-TestRepository | Out-Null
        $image = New-Image -Name plain
    }

    It 'refuses <Where> holding U+<Code> with <ErrorId>, naming the code point, never echoing it' -ForEach @(
        foreach ($code in '061C', '200B', '200E', '200F', '202A', '202B', '202C', '202D', '202E', '2028', '2029', '2060', '2066', '2067', '2068', '2069', 'FEFF', 'D800', 'DC00') {
            @{ Code = $code; Where = 'New-Image -Name'; ErrorId = 'InvalidImageName'; Run = { param($v) New-Image -Name $v } }
            @{ Code = $code; Where = 'New-Image -Tag'; ErrorId = 'InvalidTag'; Run = { param($v) New-Image -Name t -Tag $v } }
            @{ Code = $code; Where = 'New-Image -Property'; ErrorId = 'InvalidProperty'; Run = { param($v) New-Image -Name t -Property @{ $v = 'x' } } }
            @{ Code = $code; Where = 'Set-Image -Name'; ErrorId = 'InvalidImageName'; Run = { param($v) $image | Set-Image -Name $v } }
            @{ Code = $code; Where = 'Set-Image -AddTag'; ErrorId = 'InvalidTag'; Run = { param($v) $image | Set-Image -AddTag $v } }
            @{ Code = $code; Where = 'Set-Image -Property'; ErrorId = 'InvalidProperty'; Run = { param($v) $image | Set-Image -Property @{ $v = 'x' } } }
        }
    ) {
        $char = [char][Convert]::ToInt32($Code, 16)
        $before = @(Get-Image).Count

        $record = Invoke-Refused { & $Run "invoice${char}gpj.exe" }

        $record.FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $record.Exception.Message | Should -Match "U\+$Code .*at character 8"
        $record.Exception.Message | Should -BeLike "*invoice<U+$Code>gpj.exe*"
        $record.Exception.Message.Contains($char) | Should -BeFalse
        @(Get-Image).Count | Should -Be $before
        $now = Get-Image -Id $image.Id
        $now.Name | Should -Be 'plain'
        $now.Tags | Should -BeNullOrEmpty
        $now.Properties.Count | Should -Be 0
    }

    It 'keeps ZWNJ (Persian) and ZWJ (emoji sequences) in names, tags and keys' {
        $persian = "mi$([char]0x200C)khaham"
        $family = "family-$([char]::ConvertFromUtf32(0x1F468))$([char]0x200D)$([char]::ConvertFromUtf32(0x1F469))"

        $made = New-Image -Name $persian -Tag $family -Property @{ $family = $persian }

        $read = Get-Image -Id $made.Id
        $read.Name | Should -BeExactly $persian
        $read.Tags | Should -Be @($family)
        $read.Properties[$family] | Should -BeExactly $persian
    }
}

Describe 'Sources that are not regular files' {
    BeforeAll {
        Use-TestRepository | Out-Null
        $fifo = Join-Path $TestDrive 'stream.fifo'
        & mkfifo $fifo
    }

    It 'refuses New-Image -Path <Case> with SourceNotRegularFile, naming it' -ForEach @(
        @{ Case = 'a FIFO'; Path = 'FIFO'; Kind = 'a FIFO' }
        @{ Case = '/dev/zero'; Path = '/dev/zero'; Kind = 'a character device' }
    ) {
        $target = if ($Path -eq 'FIFO') { $fifo } else { $Path }

        $record = Invoke-Refused { New-Image -Path $target }

        $record.FullyQualifiedErrorId | Should -BeLike 'SourceNotRegularFile,*'
        $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $record.Exception.Message | Should -BeLike "'$target' is $Kind*Send-ImageData*"
        Get-Image | Should -BeNullOrEmpty
    }

    It 'never says a size was declared when none was: /dev/zero with -Size stops at the size' {
        $image = New-Image -Name zero -DiskFormat raw

        $record = Invoke-Refused { $image | Send-ImageData -Path /dev/zero -Size 4096 }

        $record.FullyQualifiedErrorId | Should -BeLike 'ImageSizeMismatch,*'
        $record.Exception.Message | Should -Not -BeLike '*were declared*'
        (Get-Image -Id $image.Id).Status | Should -Be 'Queued'
    }

    It 'uploads a /proc file, which reports 0 bytes, with the content it has' {
        $image = New-Image -Name status -DiskFormat raw -ContainerFormat bare

        $uploaded = $image | Send-ImageData -Path /proc/self/cmdline

        $uploaded.Status | Should -Be 'Active'
        $uploaded.Size | Should -BeGreaterThan 0
    }
}

Describe 'Every failure is an ImagePs error' {
    BeforeAll {
        $home1 = Use-TestRepository
        $files = Join-Path $TestDrive 'walk'
        New-Item -ItemType Directory -Path $files | Out-Null
        $fifo = Join-Path $files 'walk.fifo'
        & mkfifo $fifo
        $data = New-RandomFile -Path (Join-Path $files 'data.raw') -Length 4096
        $queued = New-Image -Name queued -DiskFormat raw
        $active = $data | New-Image -Name active | Send-ImageData
        $missingId = [guid]::NewGuid()
        $folder = New-Item -ItemType Directory -Path (Join-Path $files 'folder')
    }

    It '<Command> with <Case> fails with an ImagePs error id, a category and the value named' -ForEach @(
        @{ Command = 'Get-Image'; Case = 'an unknown id'; Value = 'MISSING'; Run = { Get-Image -Id $missingId } }
        @{ Command = 'Get-Image'; Case = 'a bad wildcard'; Value = 'x[0-'; Run = { Get-Image -Name 'x[0-' } }
        @{ Command = 'Get-Image'; Case = 'an unknown name'; Value = 'no-such-image'; Run = { Get-Image -Name 'no-such-image' } }
        @{ Command = 'New-Image'; Case = 'a missing file'; Value = 'missing.raw'; Run = { New-Image -Path (Join-Path $files 'missing.raw') } }
        @{ Command = 'New-Image'; Case = 'a directory'; Value = 'folder'; Run = { New-Image -Path $folder.FullName } }
        @{ Command = 'New-Image'; Case = 'a FIFO'; Value = 'walk.fifo'; Run = { New-Image -Path $fifo } }
        @{ Command = 'New-Image'; Case = 'a bad disk format'; Value = 'vmdx'; Run = { New-Image -Name x -DiskFormat vmdx } }
        @{ Command = 'New-Image'; Case = 'a bad property name'; Value = 'status'; Run = { New-Image -Name x -Property @{ status = 'x' } } }
        @{ Command = 'New-Image'; Case = 'a negative MinDisk'; Value = '-1'; Run = { New-Image -Name x -MinDisk -1 } }
        @{ Command = 'Set-Image'; Case = 'an unknown id'; Value = 'MISSING'; Run = { Set-Image -Id $missingId -Name y } }
        @{ Command = 'Set-Image'; Case = 'a negative MinRam'; Value = '-5'; Run = { $queued | Set-Image -MinRam -5 } }
        @{ Command = 'Set-Image'; Case = 'removing a base attribute'; Value = 'name'; Run = { $queued | Set-Image -RemoveProperty name } }
        @{ Command = 'Send-ImageData'; Case = 'an unknown id'; Value = 'MISSING'; Run = { Send-ImageData -Id $missingId -Path $data.FullName } }
        @{ Command = 'Send-ImageData'; Case = 'a directory'; Value = 'folder'; Run = { $queued | Send-ImageData -Path $folder.FullName } }
        @{ Command = 'Send-ImageData'; Case = 'an Active image'; Value = 'active'; Run = { $active | Send-ImageData -Path $data.FullName } }
        @{ Command = 'Save-ImageData'; Case = 'an image without data'; Value = 'queued'; Run = { $queued | Save-ImageData -Path (Join-Path $files 'out.raw') } }
        @{ Command = 'Save-ImageData'; Case = 'an existing file'; Value = 'data.raw'; Run = { $active | Save-ImageData -Path $data.FullName } }
        @{ Command = 'Remove-Image'; Case = 'an unknown id'; Value = 'MISSING'; Run = { Remove-Image -Id $missingId -Force } }
        @{ Command = 'Disable-Image'; Case = 'a Queued image'; Value = 'queued'; Run = { $queued | Disable-Image } }
        @{ Command = 'Test-Image'; Case = 'an unknown id'; Value = 'MISSING'; Run = { Test-Image -Id $missingId } }
        @{ Command = 'Get-ImageFileInfo'; Case = 'a missing file'; Value = 'missing.qcow2'; Run = { Get-ImageFileInfo -LiteralPath (Join-Path $files 'missing.qcow2') } }
        @{ Command = 'Get-ImageFileInfo'; Case = 'a directory'; Value = 'folder'; Run = { Get-ImageFileInfo -LiteralPath $folder.FullName } }
        @{ Command = 'Get-ImageUsage'; Case = 'a bad imageps.json'; Value = 'NoSuchSetting'; Run = { $home2 = Join-Path $files 'usage-repo'; New-Item -ItemType Directory -Force $home2 | Out-Null; Set-Content (Join-Path $home2 'imageps.json') '{ "NoSuchSetting": 1 }'; $saved = $env:IMAGEPS_HOME; try { $env:IMAGEPS_HOME = $home2; Get-ImageUsage } finally { $env:IMAGEPS_HOME = $saved } } }
        @{ Command = 'Enable-Image'; Case = 'an Active image that was never deactivated'; Value = 'MISSING'; Run = { Enable-Image -Id $missingId } }
        @{ Command = 'Add-ImageMember'; Case = 'an image that is not Shared'; Value = 'queued'; Run = { $queued | Set-Image -Visibility Private; $queued | Add-ImageMember -MemberId p2 } }
        @{ Command = 'Add-ImageMember'; Case = 'a lying member id'; Value = 'p<U+202E>2'; Run = { $active | Add-ImageMember -MemberId "p$([char]0x202E)2" } }
        @{ Command = 'Get-ImageMember'; Case = 'an unknown id'; Value = 'MISSING'; Run = { Get-ImageMember -Id $missingId } }
        @{ Command = 'Set-ImageMember'; Case = 'a project that is not a member'; Value = 'nobody'; Run = { $active | Set-ImageMember -MemberId nobody -Status Accepted } }
        @{ Command = 'Remove-ImageMember'; Case = 'a project that is not a member'; Value = 'nobody'; Run = { $active | Remove-ImageMember -MemberId nobody -Confirm:$false } }
        @{ Command = 'Copy-ImageRepository'; Case = 'the repository itself'; Value = 'HOME'; Run = { Copy-ImageRepository -Destination $home1 -Confirm:$false } }
        @{ Command = 'Restore-Image'; Case = 'an image that is not PendingDelete'; Value = 'active'; Run = { $active | Restore-Image } }
        @{ Command = 'Restore-Image'; Case = 'an unknown id'; Value = 'MISSING'; Run = { Restore-Image -Id $missingId } }
        @{ Command = 'Import-Image'; Case = 'a missing file'; Value = 'missing.qcow2'; Run = { Import-Image -LiteralPath (Join-Path $files 'missing.qcow2') } }
        @{ Command = 'Import-Image'; Case = 'a URL of another scheme'; Value = 'ftp://example.org/disk.raw'; Run = { Import-Image -Uri 'ftp://example.org/disk.raw' } }
        @{ Command = 'Import-Image'; Case = 'an image it did not make'; Value = 'queued'; Run = { $queued | Import-Image } }
        @{ Command = 'Clear-DeletedImage'; Case = 'a caller who is not an administrator'; Value = 'context_is_admin'; Run = { Use-Caller -User bob -Project web -Roles member, reader; try { Clear-DeletedImage -Force } finally { Reset-Caller } } }
    ) {
        $expectedValue = switch ($Value) { 'MISSING' { "$missingId" } 'HOME' { $home1 } default { $Value } }

        $record = Invoke-Refused $Run

        $record | Should -Not -BeNullOrEmpty -Because "$Command with $Case must fail"
        $id = ($record.FullyQualifiedErrorId -split ',')[0]
        $id | Should -Not -BeLike 'System.*'
        $record.Exception | Should -BeOfType ([ImagePs.ImagePsException])
        $record.Exception.ErrorId | Should -Be $id
        $record.CategoryInfo.Category | Should -Not -Be 'NotSpecified'
        $record.Exception.Message | Should -BeLike "*$([WildcardPattern]::Escape($expectedValue))*"
    }

    It 'covers every cmdlet of the module' {
        $walked = 'Get-Image', 'New-Image', 'Set-Image', 'Send-ImageData', 'Save-ImageData', 'Remove-Image', 'Disable-Image', 'Enable-Image',
            'Add-ImageMember', 'Get-ImageMember', 'Set-ImageMember', 'Remove-ImageMember', 'Copy-ImageRepository', 'Get-ImageEvent',
            'Get-ImageUsage', 'Get-ImageFileInfo', 'Test-Image', 'Restore-Image', 'Clear-DeletedImage', 'Import-Image'
        (Get-Command -Module ImagePs).Name | Where-Object { $_ -notin $walked } | Should -BeNullOrEmpty
    }

    It 'fails with <ErrorId> on <Case>, for every cmdlet that opens the repository' -ForEach @(
        @{ Case = 'a bad imageps.json'; ErrorId = 'InvalidSettings'; Setup = { param($r) Set-Content (Join-Path $r 'imageps.json') '{ "NoSuchSetting": 1 }' } }
        @{ Case = 'a corrupt catalog.db'; ErrorId = 'CatalogUnavailable'; Setup = { param($r) [IO.File]::WriteAllBytes((Join-Path $r 'catalog.db'), [byte[]](1..200)) } }
    ) {
        $broken = Join-Path $TestDrive ('broken-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $broken | Out-Null
        & $Setup $broken
        $saved = $env:IMAGEPS_HOME
        $env:IMAGEPS_HOME = $broken
        try {
            foreach ($run in { Get-Image }, { New-Image -Name x }, { Get-ImageEvent -Last 1 }) {
                $record = Invoke-Refused $run
                $record | Should -Not -BeNullOrEmpty -Because "$run on $Case must fail"
                ($record.FullyQualifiedErrorId -split ',')[0] | Should -Be $ErrorId -Because "$run on $Case"
                $record.CategoryInfo.Category | Should -Not -Be 'NotSpecified'
                $record.Exception.Message | Should -BeLike "*$broken*"
            }
        }
        finally { $env:IMAGEPS_HOME = $saved }
    }
}
