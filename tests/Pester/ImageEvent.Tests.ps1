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

        $lines = Get-Content -LiteralPath (Join-Path $env:IMAGEPS_HOME 'events.jsonl')
        $lines.Count | Should -Be 60
        $parsed = $lines | ForEach-Object { $_ | ConvertFrom-Json }
        ($parsed.message_id | Select-Object -Unique).Count | Should -Be 60
        ($parsed.payload.name | Sort-Object -Unique).Count | Should -Be 60
        ($parsed.payload.properties.padding | Where-Object { $_.Length -eq 2000 }).Count | Should -Be 60
        (Get-ImageEvent -EventType image.create).Count | Should -Be 60
        (Get-Image).Count | Should -Be 60
    }
}
