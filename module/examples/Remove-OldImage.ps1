#Requires -Version 7.4
#Requires -Modules ImagePs
<#
.SYNOPSIS
    Removes images carrying a tag that are older than a date: run it with -WhatIf first.

.DESCRIPTION
    Supports -WhatIf and -Confirm like a cmdlet: -WhatIf lists what would be removed and changes
    nothing; without it the images are removed without prompting (the -WhatIf run was the check).
    Protected images are refused one by one (ImageProtected) and reported; the others go.

.EXAMPLE
    ./Remove-OldImage.ps1 -Tag nightly -CreatedBefore (Get-Date).AddDays(-30) -WhatIf
    ./Remove-OldImage.ps1 -Tag nightly -CreatedBefore (Get-Date).AddDays(-30)
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)] [string] $Tag,
    [datetime] $CreatedBefore = (Get-Date).AddDays(-30)
)

Import-Module ImagePs
$cutoff = $CreatedBefore.ToUniversalTime()   # CreatedAt is UTC
$old = @(Get-Image -Tag $Tag | Where-Object CreatedAt -lt $cutoff)
# -WhatIf reaches Remove-Image through $WhatIfPreference; -Confirm:$false only skips the prompt.
$old | Remove-Image -Confirm:$false -ErrorVariable refused -ErrorAction SilentlyContinue
foreach ($failure in $refused) { Write-Warning $failure.Exception.Message }
if (-not $WhatIfPreference) { "{0} of {1} image(s) tagged '{2}' removed" -f ($old.Count - $refused.Count), $old.Count, $Tag }
