BeforeDiscovery {
    . $PSScriptRoot/TestBackends.ps1
}

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
}

AfterAll {
    Reset-Caller
}

Describe 'Get-ImageEvent (<TestBackend>)' -ForEach (Get-TestBackend) {
    BeforeEach {
        Use-TestRepository | Out-Null
    }

    It 'records Glance''s events for the cmdlets and shows them with -Verbose' {
        $file = New-RandomFile -Path (Join-Path $TestDrive 'e.raw') -Length 3000
        $output = $file | New-Image -Verbose 4>&1
        $image = $output | Where-Object { $_.psobject.BaseObject -is [ImagePs.Image] }
        ($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Contain "Event image.create: e ($($image.Id))"
        $image | Send-ImageData | Out-Null
        $image | Remove-Image -Force

        $events = Get-ImageEvent -ImageId $image.Id
        $events.EventType | Should -Be @('image.create', 'image.update', 'image.prepare', 'image.upload', 'image.activate', 'image.update', 'image.delete')
        $events.UserId | Select-Object -Unique | Should -Be ([Environment]::UserName)
        $events[3].Payload['size'] | Should -Be 3000
        $events[3].Payload['checksum'] | Should -Be (Get-ExternalHash -Path $file -Algorithm md5)
        $events[3].Payload.Keys | Should -Not -Contain 'locations'
        $events[-1].Payload['deleted'] | Should -BeTrue
        $events[0].Timestamp.Kind | Should -Be 'Utc'
    }

    It 'selects by image from the pipeline, type wildcards, time window and the last N' {
        $a = New-Image -Name a
        $b = New-Image -Name b
        $a | Add-ImageMember -MemberId db | Out-Null
        $b | Add-ImageMember -MemberId db | Out-Null

        ($b | Get-ImageEvent).EventType | Should -Be @('image.create', 'image.member.create')
        (Get-ImageEvent -EventType 'image.member.*').ImageId | Should -Be @($a.Id, $b.Id)
        (Get-ImageEvent -EventType 'IMAGE.CREATE').ImageId | Should -Be @($a.Id, $b.Id)
        (Get-ImageEvent -Last 1).ImageId | Should -Be $b.Id
        $all = Get-ImageEvent
        $all.Count | Should -Be 4
        (Get-ImageEvent -Since $all[1].Timestamp -Until $all[2].Timestamp).EventType | Should -Be @('image.create', 'image.member.create')
        Get-ImageEvent -Since ([datetime]::Now.AddMinutes(5)) | Should -BeNullOrEmpty
        { Get-ImageEvent -Last 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
    }

    It 'shows a caller that is no admin only the events of its own project' {
        Use-Caller alice -Project web -Roles member, reader
        $web = New-Image -Name web-image
        Use-Caller bob -Project db -Roles member, reader
        $db = New-Image -Name db-image
        (Get-ImageEvent).ImageId | Should -Be @($db.Id)
        Use-Caller alice -Project web -Roles member, reader
        (Get-ImageEvent).ImageId | Should -Be @($web.Id)
        Reset-Caller
        (Get-ImageEvent).ImageId | Should -Be @($web.Id, $db.Id)
    }

    It 'keeps every line whole when several processes write at once' {
        Get-Image | Out-Null # create the catalog first: this test is about the events log
        $jobs = 1..4 | ForEach-Object {
            Start-Job -ArgumentList $ManifestPath, $env:IMAGEPS_HOME, $_ -ScriptBlock {
                param($Manifest, $Repository, $Worker)
                $env:IMAGEPS_HOME = $Repository
                Import-Module $Manifest
                1..15 | ForEach-Object { New-Image -Name "w$Worker-$_" -Property @{ padding = 'x' * 2000 } } | Out-Null
            }
        }
        $jobs | Wait-Job -Timeout 240 | Receive-Job -ErrorAction Stop
        $jobs | Remove-Job -Force

        $created = @(Get-ImageEvent -EventType image.create)
        $created.Count | Should -Be 60
        ($created.MessageId | Select-Object -Unique).Count | Should -Be 60
        ($created.Payload.name | Sort-Object -Unique).Count | Should -Be 60
        ($created | Where-Object { $_.Payload.properties.padding.Length -eq 2000 }).Count | Should -Be 60
        if ($TestBackend -eq 'Embedded') {
            $lines = Get-Content -LiteralPath (Join-Path $env:IMAGEPS_HOME 'events.jsonl')
            $lines.Count | Should -Be 60
            ($lines | ForEach-Object { ($_ | ConvertFrom-Json).message_id } | Select-Object -Unique).Count | Should -Be 60
        }
        (Get-Image).Count | Should -Be 60
    }

    It 'refuses bad events-log settings, naming the key' -ForEach @(
        @{ Json = '{ "EventLogMaxBytes": -1 }'; Key = 'EventLogMaxBytes' }
        @{ Json = '{ "EventLogMaxBytes": "64MB" }'; Key = 'EventLogMaxBytes' }
        @{ Json = '{ "EventLogMaxAgeDays": 1.5 }'; Key = 'EventLogMaxAgeDays' }
        @{ Json = '{ "EventLogMaxAgeDays": 40000 }'; Key = 'EventLogMaxAgeDays' }
        @{ Json = '{ "EventLogMaxFiles": -2 }'; Key = 'EventLogMaxFiles' }
    ) {
        Use-TestRepository -Settings $Json | Out-Null
        $failure = { Get-ImageEvent -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidSettings,*' -PassThru
        $failure.Exception.Message | Should -BeLike "*$Key*expected a whole number from 0 to *"
    }

    It 'accepts the events-log settings at their limits' {
        Use-TestRepository -Settings '{ "EventLogMaxBytes": 0, "EventLogMaxAgeDays": 36500, "EventLogMaxFiles": 0 }' | Out-Null
        New-Image -Name limits | Out-Null
        (Get-ImageEvent -ErrorAction Stop).EventType | Should -Be 'image.create'
    }
}

Describe 'The events log file (Embedded)' {
    It 'ends a line torn by a crash, so the next events are neither fused with it nor lost' {
        $repository = Use-TestRepository
        $first = New-Image -Name before-crash
        $log = Join-Path $repository 'events.jsonl'
        [IO.File]::AppendAllText($log, '{"message_id":"0d7d0f0e-2f1b-4d8e-9a52-5a4f1d1f3c11","event_type":"image.up') # the writer died here

        $second = New-Image -Name after-crash
        $second | Set-Image -AddTag kept | Out-Null

        $output = Get-ImageEvent 3>&1
        $events = $output | Where-Object { $_.psobject.BaseObject -is [ImagePs.ImageEvent] }
        ($events | ForEach-Object { "$($_.EventType) $($_.Payload['name'])" }) |
            Should -Be @('image.create before-crash', 'image.create after-crash', 'image.update after-crash')
        ($output | Where-Object { $_ -is [System.Management.Automation.WarningRecord] }).Message | Should -BeLike '*line 2*'
        (Get-ImageEvent -Last 1).EventType | Should -Be 'image.update'
        (Get-Content -LiteralPath $log).Count | Should -Be 4
        (Get-Content -LiteralPath $log)[1] | Should -BeLike '*"event_type":"image.up'
    }

    It 'rotates by EventLogMaxBytes into numbered files, keeps EventLogMaxFiles of them and reads across them' {
        $repository = Use-TestRepository -Settings '{ "EventLogMaxBytes": 4096, "EventLogMaxFiles": 3 }'
        $images = 1..30 | ForEach-Object { New-Image -Name ('rot-{0:d2}' -f $_) -Property @{ padding = 'p' * 300 } }

        $rotated = @(Get-ChildItem -LiteralPath $repository -Filter 'events.*.jsonl' | Sort-Object { [long]($_.Name -replace '^events\.(\d+)\.jsonl$', '$1') })
        $rotated.Count | Should -Be 3
        Get-ChildItem -LiteralPath $repository -Filter 'events*.jsonl' | ForEach-Object { $_.Length | Should -BeLessOrEqual 4096 }
        $numbers = $rotated.Name -replace '^events\.(\d+)\.jsonl$', '$1' | ForEach-Object { [long]$_ }
        $numbers[1] | Should -Be ($numbers[0] + 1)
        $numbers[2] | Should -Be ($numbers[0] + 2)

        # What is kept: the newest events, oldest first, continuous up to the last image.
        $kept = @(Get-ImageEvent)
        $onDisk = (Get-ChildItem -LiteralPath $repository -Filter 'events*.jsonl' | Get-Content).Count
        $kept.Count | Should -Be $onDisk
        $kept.Count | Should -BeLessThan 30
        $kept.Payload.name | Should -Be ($images.Name | Select-Object -Last $kept.Count)
        (Get-ImageEvent -Last 4).Payload.name | Should -Be ($images.Name | Select-Object -Last 4)
        $oldestKept = $kept[0]
        (Get-ImageEvent -ImageId $oldestKept.ImageId).Payload.name | Should -Be $oldestKept.Payload.name
        (Get-ImageEvent -Until $kept[2].Timestamp -Last 2).MessageId | Should -Be $kept[1].MessageId, $kept[2].MessageId
    }
}

# With a PostgreSQL catalog the events are the catalog's: every host sees every host's events.
Describe 'Two hosts, one PostgreSQL catalog: one events log (<TestBackend>)' -ForEach @(Get-TestBackend | Where-Object { $_.TestBackend -eq 'Servers' }) {
    It 'shows each host the events of the other, none in the repository folders' {
        $first = Use-TestRepository
        $second = Join-Path $TestDrive ('second-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $second | Out-Null
        Copy-Item -LiteralPath (Join-Path $first 'imageps.json') -Destination $second

        $mine = New-Image -Name first-host-image
        $env:IMAGEPS_HOME = $second
        $theirs = New-Image -Name second-host-image -DiskFormat raw
        $file = New-RandomFile -Path (Join-Path $TestDrive 'second.raw') -Length 4096
        Send-ImageData -Id $theirs.Id -Path $file | Out-Null
        (Get-ImageEvent -ImageId $mine.Id).EventType | Should -Be 'image.create'

        $env:IMAGEPS_HOME = $first
        (Get-ImageEvent -ImageId $theirs.Id).EventType | Should -Be @('image.create', 'image.update', 'image.prepare', 'image.upload', 'image.activate', 'image.update')
        (Get-ImageEvent -EventType image.create).ImageId | Should -Be @($mine.Id, $theirs.Id)
        (Get-ImageEvent -Last 1).EventType | Should -Be 'image.update'
        (Get-ImageEvent -Last 1).ImageId | Should -Be $theirs.Id
        (Get-ImageEvent -ImageId $theirs.Id -EventType image.upload).Payload['size'] | Should -Be 4096
        Test-Path -LiteralPath (Join-Path $first 'events.jsonl') | Should -BeFalse
        Test-Path -LiteralPath (Join-Path $second 'events.jsonl') | Should -BeFalse
    }
}
