BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
}

Describe 'Crash trials: New-Image | Send-ImageData killed (SIGKILL) at random points and mid-upload, 20 times' -Skip:(-not $IsLinux -and -not $IsMacOS) {
    BeforeAll {
        $repository = Use-TestRepository
        # Big enough that a good part of a run is spent uploading (the Saving window).
        $source = New-RandomFile -Path (Join-Path $TestDrive 'source.raw') -Length 96MB
        $seed = Get-Random
        Write-Host "Crash trials with seed $seed"
        $random = [Random]::new($seed)
        $command = "`$ProgressPreference = 'SilentlyContinue'; `$WarningPreference = 'SilentlyContinue'; Import-Module '$ManifestPath'; " +
            "Get-Item '$($source.FullName)' | New-Image -Tag trial | Send-ImageData | Out-Null"

        # One undisturbed run tells how long a whole run takes here; kills land in its second half,
        # where the image exists (the first is pwsh starting and importing the module).
        $span = foreach ($warm in 1..2) {   # the second, warm run is the one that counts
            $clock = [Diagnostics.Stopwatch]::StartNew()
            (Start-Pwsh -Command $command).WaitForExit()
            [int]$clock.ElapsedMilliseconds
        }
        $span = $span[-1]
        $killedAt = foreach ($trial in 1..20) {
            $child = Start-Pwsh -Command $command
            if ($trial -le 15) {
                $delay = $random.Next([int]($span * 0.45), $span)
                Start-Sleep -Milliseconds $delay
            }
            else {
                # The last five kills wait until the child's image is Saving with its partial file in
                # the store, so that at least these land mid-upload whatever the machine's speed.
                $delay = 'mid-upload'
                $null = Wait-Until -TimeoutSeconds 30 -Condition {
                    $child.HasExited -or ((Get-UploadInProgress) -and @(Invoke-CatalogQuery -Sql "SELECT status FROM images WHERE status = 'saving'").Count)
                }
            }
            Stop-Process -Id $child.Id -Force -ErrorAction Ignore   # SIGKILL on Unix
            $child.WaitForExit()
            $delay
        }
        Write-Host "Killed after (ms): $($killedAt -join ', ') of a $span ms run"

        $statusesLeft = @(Invoke-CatalogQuery -Sql "SELECT status FROM images WHERE deleted = 0")
        $savingLeft = @($statusesLeft | Where-Object { $_ -eq 'saving' }).Count
        $images = @(Get-Image -Tag trial -WarningVariable recoveryWarnings -WarningAction SilentlyContinue)   # opening the repository recovers
        Write-Host ("Left by the kills: {0}; after recovery: {1}" -f (($statusesLeft | Group-Object | ForEach-Object { "$($_.Count) $($_.Name)" }) -join ', '),
            (($images | Group-Object Status | ForEach-Object { "$($_.Count) $($_.Name)" }) -join ', '))
    }

    It 'kills uploads mid-way (images left Saving), and the next command recovers each of them' {
        $savingLeft | Should -BeGreaterThan 0 -Because 'the trials must hit the Saving window, or they prove nothing'
        @($recoveryWarnings | Where-Object { "$_" -like '*left Saving by an upload whose process is gone*' }).Count | Should -Be $savingLeft
        @($images | Where-Object Status -EQ 'Saving').Count | Should -Be 0
    }

    It 'leaves every image Queued or Active' {
        $images | Where-Object { $_.Status -notin 'Queued', 'Active' } | Should -BeNullOrEmpty
        $images.Count | Should -BeGreaterThan 0
    }

    It 'keeps the catalog intact (PRAGMA integrity_check)' {
        Invoke-CatalogQuery -Sql 'PRAGMA integrity_check' | Should -Be 'ok'
    }

    It 'holds in the store exactly the data of the Active images, nothing half-written' {
        $active = @($images | Where-Object Status -EQ 'Active')
        (Get-StoreFile).Name | Sort-Object | Should -Be (@($active.Id | ForEach-Object { "$_" }) | Sort-Object)
        foreach ($image in $active) {
            Get-ExternalHash -Path (Join-Path $repository "images/$($image.Id)") -Algorithm md5 | Should -Be $image.Checksum
        }
    }

    It 'uploads every Queued image when it is sent again' {
        $queued = @($images | Where-Object Status -EQ 'Queued')
        $sent = @($queued | Send-ImageData -Path $source.FullName)
        $sent.Count | Should -Be $queued.Count
        $sent | Where-Object Status -NE 'Active' | Should -BeNullOrEmpty
        @(Get-Image -Tag trial | Where-Object Status -NE 'Active').Count | Should -Be 0
        (Get-StoreFile).Count | Should -Be @(Get-Image -Tag trial).Count
    }
}
