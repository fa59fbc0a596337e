BeforeDiscovery {
    . $PSScriptRoot/TestBackends.ps1
}

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
}

Describe 'Delayed delete: Remove-Image, Restore-Image, Clear-DeletedImage (<TestBackend>)' -ForEach (Get-TestBackend) {
    BeforeEach {
        Use-TestRepository -Settings '{ "DelayedDeleteSeconds": 3600 }' | Out-Null
        $file = New-RandomFile -Path (Join-Path $TestDrive ('data-' + [guid]::NewGuid().ToString('N') + '.raw')) -Length 8192
        $image = $file | New-Image -Name keep-me | Send-ImageData
    }

    It 'moves an image with data to PendingDelete: data kept, left out of listings, found by id and by -Status PendingDelete' {
        Remove-Image -Id $image.Id -Force

        Test-StoredData -Id $image.Id | Should -BeTrue
        Get-Image | Should -BeNullOrEmpty
        (Get-Image -Id $image.Id).Status | Should -Be 'PendingDelete'
        (Get-Image -Status PendingDelete).Id | Should -Be $image.Id
        (Get-ImageEvent -ImageId $image.Id | Select-Object -Last 1).EventType | Should -Be 'image.delete'
    }

    It 'deletes an image without data at once' {
        $queued = New-Image -Name no-data
        Remove-Image -Id $queued.Id -Force

        Get-Image -Id $queued.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Get-Image -Status PendingDelete | Should -BeNullOrEmpty
    }

    It 'restores it by id from the pipeline, with its status and data intact' {
        $checksum = $image.Checksum
        Disable-Image -Id $image.Id
        Remove-Image -Id $image.Id -Force

        Get-Image -Status PendingDelete | Restore-Image

        $restored = Get-Image -Id $image.Id
        $restored.Status | Should -Be 'Deactivated'
        $restored.Checksum | Should -Be $checksum
        Test-StoredData -Id $image.Id | Should -BeTrue
        (Get-ImageEvent -ImageId $image.Id | Select-Object -Last 1).EventType | Should -Be 'image.update'
        Enable-Image -Id $image.Id
        $out = Join-Path $TestDrive ('back-' + [guid]::NewGuid().ToString('N') + '.raw')
        Save-ImageData -Id $image.Id -Path $out | Out-Null
        (Get-FileHash -LiteralPath $out -Algorithm MD5).Hash | Should -Be $checksum.ToUpperInvariant()
    }

    It 'takes an id as a string, positionally, and emits the image with -PassThru' {
        Remove-Image -Id $image.Id -Force
        $restored = Restore-Image "$($image.Id)" -PassThru
        $restored.Status | Should -Be 'Active'
    }

    It 'changes nothing with -WhatIf' {
        Remove-Image -Id $image.Id -Force
        Restore-Image -Id $image.Id -WhatIf
        Clear-DeletedImage -All -WhatIf

        (Get-Image -Id $image.Id).Status | Should -Be 'PendingDelete'
        Test-StoredData -Id $image.Id | Should -BeTrue
    }

    It 'refuses an image that is not PendingDelete with ImageNotRestorable, naming it' {
        Restore-Image -Id $image.Id -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ImageNotRestorable,*'
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        $failures[0].Exception.Message | Should -BeLike "*keep-me ($($image.Id))*"
        (Get-Image -Id $image.Id).Status | Should -Be 'Active'
    }

    It 'refuses an image whose data is gone from the store' {
        Remove-Image -Id $image.Id -Force
        if ($TestBackend -eq 'Servers') {
            Invoke-S3Request -PathAndQuery "$((Get-RepositorySetting).Store.Bucket)/$($image.Id)" -Method DELETE | Out-Null
        } else {
            Remove-Item -LiteralPath (Join-Path $env:IMAGEPS_HOME "images/$($image.Id)")
        }

        Restore-Image -Id $image.Id -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ImageNotRestorable,*'
        (Get-Image -Id $image.Id).Status | Should -Be 'PendingDelete'
    }

    It 'Clear-DeletedImage leaves images within their window; -All scrubs every one, data first, and -PassThru names them' {
        Remove-Image -Id $image.Id -Force

        Clear-DeletedImage -Force -PassThru | Should -BeNullOrEmpty
        (Get-Image -Id $image.Id).Status | Should -Be 'PendingDelete'

        Clear-DeletedImage -All -Force -PassThru | Should -Be $image.Id

        Test-StoredData -Id $image.Id | Should -BeFalse
        Get-Image -Id $image.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Get-Image -Status PendingDelete | Should -BeNullOrEmpty
        Restore-Image -Id $image.Id -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ImageNotRestorable,*'
        $failures[0].Exception.Message | Should -BeLike "*keep-me ($($image.Id))*"
    }

    It 'Clear-DeletedImage asks first: non-interactive without -Force it scrubs nothing' {
        Remove-Image -Id $image.Id -Force
        { Clear-DeletedImage -All -ErrorAction Stop } | Should -Throw
        Test-StoredData -Id $image.Id | Should -BeTrue
    }

    It 'completes only PendingDelete ids for Restore-Image -Id' {
        $other = $file | New-Image -Name still-here | Send-ImageData
        Remove-Image -Id $image.Id -Force

        $line = 'Restore-Image -Id '
        $matches = @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText)
        $matches | Should -Contain "$($image.Id)"
        $matches | Should -Not -Contain "$($other.Id)"
    }
}

Describe 'Delayed delete: the scrub after the window (<TestBackend>)' -ForEach (Get-TestBackend) {
    BeforeEach {
        Use-TestRepository -Settings '{ "DelayedDeleteSeconds": 1 }' | Out-Null
        $file = New-RandomFile -Path (Join-Path $TestDrive ('data-' + [guid]::NewGuid().ToString('N') + '.raw')) -Length 4096
        $image = $file | New-Image -Name short-lived | Send-ImageData
        Remove-Image -Id $image.Id -Force
        Start-Sleep -Seconds 2 # past the 1 s window: what follows does not depend on timing
    }

    It 'is never done by Get-Image or completion, but by the next command that changes the repository' {
        (Get-Image -Id $image.Id).Status | Should -Be 'PendingDelete'
        (Get-Image -Status PendingDelete).Id | Should -Be $image.Id
        Get-ImageUsage | Out-Null
        $line = 'Restore-Image -Id '
        TabExpansion2 -inputScript $line -cursorColumn $line.Length | Out-Null
        Test-StoredData -Id $image.Id | Should -BeTrue

        New-Image -Name next | Out-Null

        Test-StoredData -Id $image.Id | Should -BeFalse
        Get-Image -Id $image.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Get-Image -Status PendingDelete | Should -BeNullOrEmpty
    }

    It 'is not restorable after the window' {
        Restore-Image -Id $image.Id -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ImageNotRestorable,*'
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        $failures[0].Exception.Message | Should -BeLike "*short-lived ($($image.Id))*"
    }

    It 'Clear-DeletedImage scrubs the expired ones without -All' {
        Clear-DeletedImage -Force -PassThru | Should -Be $image.Id
        Test-StoredData -Id $image.Id | Should -BeFalse
    }
}

Describe 'Delayed delete settings' {
    It 'refuses a DelayedDeleteSeconds that is not a whole number of seconds, naming the key' {
        Use-TestRepository -Settings '{ "DelayedDeleteSeconds": "soon" }' | Out-Null
        $failure = $null
        try { Get-Image -ErrorAction Stop } catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -BeLike 'InvalidSettings,*'
        $failure.Exception.Message | Should -BeLike '*DelayedDeleteSeconds*'
    }

    It 'without the setting removes at once, as before' {
        Use-TestRepository | Out-Null
        $file = New-RandomFile -Path (Join-Path $TestDrive 'plain.raw') -Length 1024
        $image = $file | New-Image -Name plain | Send-ImageData
        Remove-Image -Id $image.Id -Force
        Test-StoredData -Id $image.Id | Should -BeFalse
        Get-Image -Status PendingDelete | Should -BeNullOrEmpty
    }
}

Describe 'A delete that died before its store delete (<TestBackend>)' -ForEach (Get-TestBackend) {
    BeforeEach {
        Use-TestRepository | Out-Null # no delayed delete: Remove-Image deletes the data at once
        $other = New-RandomFile -Path (Join-Path $TestDrive ('other-' + [guid]::NewGuid().ToString('N') + '.raw')) -Length 4096 |
            New-Image -Name other | Send-ImageData
        $gone = New-RandomFile -Path (Join-Path $TestDrive ('gone-' + [guid]::NewGuid().ToString('N') + '.raw')) -Length 8192 |
            New-Image -Name gone | Send-ImageData
        $saved = Export-StoredData -Id $gone.Id -Path (Join-Path $TestDrive ('saved-' + [guid]::NewGuid().ToString('N')))
        Remove-Image -Id $gone.Id -Force
        # The state a process that died between the delete's catalog update and its store delete
        # leaves: the row Deleted with its data queued for deletion (as that update writes it), the
        # data still in the store.
        Import-StoredData -Id $gone.Id -Path $saved
        Invoke-CatalogQuery -Sql "UPDATE image_locations SET status = 'pending_delete' WHERE image_id = '$($gone.Id)'" | Out-Null
    }

    It 'is finished by the next command that changes the repository, never by Get-* cmdlets or completion' {
        Get-Image | Out-Null
        Get-Image -Id $other.Id | Out-Null
        Get-ImageUsage | Out-Null
        $line = 'Set-Image -Id '
        TabExpansion2 -inputScript $line -cursorColumn $line.Length | Out-Null
        Test-StoredData -Id $gone.Id | Should -BeTrue

        $verbose = Set-Image -Id $other.Id -Name renamed -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }

        Test-StoredData -Id $gone.Id | Should -BeFalse
        ($verbose.Message -join "`n") | Should -BeLike "*$($gone.Id)*"
        Invoke-CatalogQuery -Sql "SELECT status FROM image_locations WHERE image_id = '$($gone.Id)'" | Should -Be 'deleted'
        Test-StoredData -Id $other.Id | Should -BeTrue
        (Get-Image -Id $other.Id).Name | Should -Be 'renamed'
    }

    It 'is left alone by -WhatIf' {
        Set-Image -Id $other.Id -Name renamed -WhatIf
        Test-StoredData -Id $gone.Id | Should -BeTrue
    }
}
