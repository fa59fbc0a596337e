#Requires -Version 7.4
#Requires -Modules ImagePs
<#
.SYNOPSIS
    Nightly ingest runbook: every file in a folder becomes an Active image; exit code 1 if any failed.

.DESCRIPTION
    Creates one image per file (named after the file, format detected from its content), uploads
    each file into its image, and tags them all. A bad file does not stop the others: its error is
    collected with -ErrorVariable, reported at the end with its stable error id, and makes the exit
    code 1 so the scheduler sees the failure. Nothing prompts and no progress is drawn, so it runs
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

$images = @(Get-ChildItem -LiteralPath $Path -File |
        New-Image -Tag $Tag -ErrorVariable createFailures |
        Send-ImageData -ErrorVariable uploadFailures)
$failures = @($createFailures) + @($uploadFailures)

foreach ($image in $images) { "ingested {0} ({1}, {2} bytes, {3})" -f $image.Name, $image.DiskFormat, $image.Size, $image.Id }
foreach ($failure in $failures) { "FAILED {0}: {1}" -f $failure.FullyQualifiedErrorId.Split(',')[0], $failure.Exception.Message }
"{0} ingested, {1} failed" -f $images.Count, $failures.Count
exit $(if ($failures.Count -gt 0) { 1 } else { 0 })
