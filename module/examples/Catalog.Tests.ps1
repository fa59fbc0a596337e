#Requires -Modules ImagePs
<#
.SYNOPSIS
    A Pester suite asserting on the catalog after a nightly ingest (run: Invoke-Pester ./Catalog.Tests.ps1).

.DESCRIPTION
    Checks what a consumer of the catalog relies on: every nightly image is Active with its data
    described (size, MD5, SHA-512, virtual size), its stored data still intact (Test-Image), nothing is
    stuck mid-upload, and names are unique.
    Point $env:IMAGEPS_HOME at the repository to check, or leave it unset for the per-user one.
#>
BeforeAll {
    Import-Module ImagePs
    $nightly = @(Get-Image -Tag nightly)
}

Describe 'The nightly catalog' {
    It 'has images' {
        $nightly.Count | Should -BeGreaterThan 0
    }

    It '<Name> is Active with its data described' -ForEach @(Get-Image -Tag nightly | ForEach-Object { @{ Name = $_.Name; Image = $_ } }) {
        $Image.Status | Should -Be 'Active'
        $Image.Size | Should -BeGreaterThan 0
        $Image.Checksum | Should -Match '^[0-9a-f]{32}$'
        $Image.OsHashAlgo | Should -Be 'sha512'
        $Image.OsHashValue | Should -Match '^[0-9a-f]{128}$'
        $Image.VirtualSize | Should -BeGreaterThan 0 -Because 'qemu-img reports the size of the disk a VM sees'
    }

    It 'has nothing stuck in an upload' {
        Get-Image -Status Saving, Queued -Tag nightly | Should -BeNullOrEmpty
    }

    It 'has its data intact at rest (size, MD5, SHA-512, today''s safety rules)' {
        Get-Image -Tag nightly | Test-Image | Where-Object { -not $_.Passed } | Should -BeNullOrEmpty
    }

    It 'has unique names' {
        $nightly | Group-Object Name | Where-Object Count -GT 1 | Should -BeNullOrEmpty
    }
}
