#Requires -Version 7.4
#Requires -Modules ImagePs
<#
.SYNOPSIS
    Nightly ingest runbook: every file in a folder becomes an Active image; exit code 1 if any failed.

.DESCRIPTION
    Imports every file as an image (named after the file, format detected from its content,
    compressed files decompressed) and tags them all. Run again over the same folder it creates
    nothing: -SkipExisting recognises files already imported by their hashes. A bad file does not stop
    the others: its error is collected with -ErrorVariable, reported at the end with its stable error
    id, and makes the exit code 1 so the scheduler sees the failure; its image stays Queued with the
    error recorded, and the next run retries that image (no second record). Nothing prompts and no progress is drawn, so it runs
    unattended (pwsh -NonInteractive -File Invoke-NightlyIngest.ps1 -Path /srv/incoming).

.EXAMPLE
    pwsh -NoProfile -NonInteractive -File ./Invoke-NightlyIngest.ps1 -Path /srv/incoming -Tag nightly, linux
#>
param(
    [Parameter(Mandatory)] [string] $Path,
    [string[]] $Tag = @('nightly')
)

$ErrorActionPreference = 'Continue'            # one bad file must not stop the others
$ProgressPreference = 'SilentlyContinue'       # no progress bars in a scheduler's log
Import-Module ImagePs

$images = @(Get-ChildItem -LiteralPath $Path -File | Import-Image -Tag $Tag -SkipExisting -ErrorVariable failures)

foreach ($image in $images) { "ingested {0} ({1}, {2} bytes, {3})" -f $image.Name, $image.DiskFormat, $image.Size, $image.Id }
foreach ($failure in $failures) { "FAILED {0}: {1}" -f $failure.FullyQualifiedErrorId.Split(',')[0], $failure.Exception.Message }
"{0} ingested, {1} failed" -f $images.Count, $failures.Count
exit $(if ($failures.Count -gt 0) { 1 } else { 0 })
