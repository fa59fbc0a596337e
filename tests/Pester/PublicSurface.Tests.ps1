# The module's script API is a deliberate list: the engine's types a script can name are exactly the
# ones below (registered as type accelerators, since the engine lives in a load context of its own),
# every type the README, the help and the views name resolves, and the registrations are process-wide
# but counted per importing runspace.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSupport.ps1')
    $script:Accelerators = [psobject].Assembly.GetType('System.Management.Automation.TypeAccelerators')
    function Get-ImagePsAccelerator { @($Accelerators::Get.Keys | Where-Object { $_ -like 'ImagePs.*' } | Sort-Object) }
    # Adding a type here makes it a script API for good (and needs src/ImagePs.Loader/ScriptTypes.cs too).
    $script:Expected = @(
        'ImagePs.ErrorKind', 'ImagePs.Image', 'ImagePs.ImageConflictException', 'ImagePs.ImageCopy', 'ImagePs.ImageCopyResult',
        'ImagePs.ImageEvent', 'ImagePs.ImageFileInfo', 'ImagePs.ImageMember', 'ImagePs.ImageMemberStatus', 'ImagePs.ImageNotFoundException',
        'ImagePs.ImagePsException', 'ImagePs.ImageSortKey', 'ImagePs.ImageStatus', 'ImagePs.ImageUsage', 'ImagePs.ImageVerification', 'ImagePs.ImageVerificationReason', 'ImagePs.ImageVisibility', 'ImagePs.SafetyFinding', 'ImagePs.UnsafeImageException'
    ) | Sort-Object
}

Describe 'The script API' {
    It 'registers exactly the listed engine types' {
        Get-ImagePsAccelerator | Should -Be $Expected
    }

    It 'keeps every other engine type internal' {
        $engine = [ImagePs.Image].Assembly
        $public = @($engine.GetExportedTypes() | Where-Object { -not $_.IsNested } | ForEach-Object FullName | Sort-Object)
        $public | Should -Be (@($Expected) + 'ImagePs.ImageLocation' | Sort-Object) -Because 'a public type is a promise; only what the cmdlets emit or accept (and what those expose) is public'
    }

    It 'resolves every type the README, the help and the views name' {
        $files = @(Get-Item -LiteralPath (Join-Path $RepoRoot 'README.md')) + @(Get-ChildItem -LiteralPath (Join-Path $RepoRoot 'module') -Recurse -File -Include *.md, *.txt, *.ps1xml, *.ps1)
        $named = foreach ($file in $files) {
            $text = Get-Content -LiteralPath $file.FullName -Raw
            [regex]::Matches($text, '\[(ImagePs(?:\.\w+)+)\]') | ForEach-Object { $_.Groups[1].Value }
            [regex]::Matches($text, '(?m)^###\s+(ImagePs(?:\.\w+)+)\s*$') | ForEach-Object { $_.Groups[1].Value }   # help INPUTS / OUTPUTS
        }
        $named = @($named | Sort-Object -Unique)
        $named | Should -Contain 'ImagePs.Image'
        foreach ($name in $named) { $name -as [type] | Should -Not -BeNullOrEmpty -Because "$name is named in the documentation" }
    }

    It 'stays registered while another runspace still has the module, and goes with the last one' {
        # In a fresh process: runspaces disposed without Remove-Module (as earlier tests may leave)
        # keep their count, which is safe (the accelerators stay) but would blur this check.
        $script = @"
`$accelerators = [psobject].Assembly.GetType('System.Management.Automation.TypeAccelerators')
function Count { @(`$accelerators::Get.Keys | Where-Object { `$_ -like 'ImagePs.*' }).Count }
Import-Module '$ManifestPath'
`$other = [powershell]::Create()
`$other.AddScript("Import-Module '$ManifestPath'; [ImagePs.ImageStatus]::Active").Invoke() | ForEach-Object { "other:`$_" }
`$other.Commands.Clear(); `$other.AddScript('Remove-Module ImagePs').Invoke() | Out-Null
"afterOther:`$(Count)"
Remove-Module ImagePs
"afterLast:`$(Count)"
"@
        $output = & (Get-PwshPath) -NoProfile -NonInteractive -Command $script 2>&1 | Out-String
        $output | Should -Match 'other:Active'
        $output | Should -Match "afterOther:$($Expected.Count)" -Because 'this runspace still has the module'
        $output | Should -Match 'afterLast:0'
    }
}
