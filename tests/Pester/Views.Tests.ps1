BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
}

Describe 'The ImagePs.Image views' {
    BeforeAll {
        Use-TestRepository | Out-Null
        $qcow2 = New-QemuImage -Format qcow2 -Path (Join-Path $TestDrive 'debian-12-generic-amd64.qcow2') -Size 20G -WriteMiB 3
        $debian = $qcow2 | New-Image -Tag nightly, linux -Property @{ os_distro = 'debian'; os_version = '12' } | Send-ImageData
        $long = New-Image -Name 'windows-server-2022-datacenter-core-evaluation' -DiskFormat vhdx
        $expectedSize = [ImagePs.Commands.SizeText]::Of($debian.Size)
    }

    It 'keeps sizes as numbers of bytes on the object' {
        $debian.Size | Should -BeOfType [long]
        $debian.VirtualSize | Should -BeOfType [long]
        $debian.Size | Should -Be $qcow2.Length
        $debian.VirtualSize | Should -Be 20GB
        $expectedSize | Should -Match '^\d+(\.\d+)? MiB$'
    }

    It 'renders the table within <Width> columns with every column readable' -ForEach @(@{ Width = 80 }, @{ Width = 120 }) {
        $lines = @((Get-Image | Format-Table | Out-String -Width $Width) -split "`r?`n" | Where-Object { $_.Trim() })

        foreach ($line in $lines) { $line.TrimEnd().Length | Should -BeLessOrEqual $Width -Because "'$line' must fit" }
        # Format is the disk format; Virtual the virtual size (shorter labels leave a name 30 wide).
        $lines[0] | Should -Match '^Name\s+Status\s+Format\s+Size\s+Virtual\s+Id$'
        $lines[1] | Should -Match '^-+( +-+){5}$'
        $row = $lines | Where-Object { $_ -like 'debian-12*' }
        $row | Should -Match ('^debian-12-generic-amd64\s+Active\s+qcow2\s+' + [regex]::Escape($expectedSize) + '\s+20 GiB\s+' + "$($debian.Id)".Substring(0, 8))
        $lines | Where-Object { $_ -like 'windows-server-2022-datacenter…*Queued*vhdx*' } | Should -Not -BeNullOrEmpty
        $thirty = New-Image -Name ('n' * 30) -DiskFormat raw
        (Get-Image -Id $thirty.Id | Format-Table | Out-String -Width 80) | Should -Match ('(?m)^' + ('n' * 30) + ' +Queued')
        Remove-Image -Id $thirty.Id -Confirm:$false
    }

    It 'shows whole ids in the table from 105 columns on' {
        $table = Get-Image | Format-Table | Out-String -Width 105
        $table | Should -Match "$($debian.Id)"
        $table | Should -Match "$($long.Id)"
        Get-Image | Format-Table | Out-String -Width 104 | Should -Not -Match "$($debian.Id)"
    }

    It 'shows every field in the list view, sizes with their bytes' -ForEach @(@{ Width = 80 }, @{ Width = 120 }) {
        $list = $debian | Format-List | Out-String -Width $Width

        foreach ($field in 'Id', 'Name', 'Status', 'DiskFormat', 'ContainerFormat', 'Visibility', 'Protected', 'Size', 'VirtualSize',
            'Checksum', 'OsHashAlgo', 'OsHashValue', 'MinDisk', 'MinRam', 'Owner', 'Tags', 'Properties', 'Locations', 'CreatedAt', 'UpdatedAt') {
            $list | Should -Match "(?m)^$field\s+:"
        }
        $list | Should -Match ([regex]::Escape("$expectedSize ($($debian.Size) bytes)"))
        $list | Should -Match '20 GiB \(21474836480 bytes\)'
        $list | Should -Match 'linux, nightly'
        $list | Should -Match 'os_distro=debian'
        $list | Should -Match $debian.Checksum
        foreach ($line in $list -split "`r?`n") { $line.TrimEnd().Length | Should -BeLessOrEqual $Width }
    }
}

Describe 'The ImagePs.ImageMember and ImagePs.ImageEvent tables' {
    BeforeAll {
        Use-TestRepository | Out-Null
        Use-Caller -User alice -Project web -Roles admin
        $image = New-Image -Name shared-debian -DiskFormat raw
        $members = @(Add-ImageMember -ImageId $image.Id -MemberId db, 'analytics-platform-team-7')
        $events = @(Get-ImageEvent -ImageId $image.Id)
        $shortId = "$($image.Id)".Substring(0, 8)

        function Get-TableLine {
            param($InputObject, [int] $Width)
            @(($InputObject | Format-Table | Out-String -Width $Width) -split "`r?`n" | Where-Object { $_.Trim() })
        }
    }
    AfterAll { Reset-Caller }

    It 'has members and events to show' {
        $members.Count | Should -Be 2
        $events.EventType | Should -Be @('image.create', 'image.member.create', 'image.member.create')
    }

    It 'renders the member table within <Width> columns with every column readable' -ForEach @(@{ Width = 80 }, @{ Width = 120 }) {
        $lines = Get-TableLine $members $Width

        foreach ($line in $lines) { $line.TrimEnd().Length | Should -BeLessOrEqual $Width -Because "'$line' must fit" }
        $lines[0] | Should -Match '^MemberId\s+Status\s+CreatedAt\s+UpdatedAt\s+ImageId$'
        $lines[1] | Should -Match '^-+( +-+){4}$'
        $created = $members[0].CreatedAt.ToString('yyyy-MM-dd HH:mm:ss')
        $lines | Where-Object { $_ -like 'db *' } | Should -Match ('^db\s+Pending\s+' + [regex]::Escape($created) + '\s+' + [regex]::Escape($created) + '\s+' + $shortId)
        $lines | Where-Object { $_ -like 'analytics-platform… *' } | Should -Match "Pending\s+.*\s+$shortId"
    }

    It 'renders the event table within <Width> columns with every column readable' -ForEach @(@{ Width = 80 }, @{ Width = 120 }) {
        $lines = Get-TableLine $events $Width

        foreach ($line in $lines) { $line.TrimEnd().Length | Should -BeLessOrEqual $Width -Because "'$line' must fit" }
        $lines[0] | Should -Match '^Timestamp\s+EventType\s+Priority\s+UserId\s+ProjectId\s+ImageId$'
        $lines[1] | Should -Match '^-+( +-+){5}$'
        $when = $events[0].Timestamp.ToString('yyyy-MM-dd HH:mm:ss')
        $lines[2] | Should -Match ('^' + [regex]::Escape($when) + '\s+image\.create\s+INFO\s+alice\s+web\s+' + $shortId)
        @($lines | Where-Object { $_ -match '\simage\.member\.create\s+INFO\s+alice\s+web\s+' + $shortId }).Count | Should -Be 2
    }

    It 'shows whole image ids in both tables from 105 columns on' {
        foreach ($objects in @(, $members), @(, $events)) {
            $objects | Format-Table | Out-String -Width 105 | Should -Match "$($image.Id)"
            $objects | Format-Table | Out-String -Width 104 | Should -Not -Match "$($image.Id)"
        }
    }

    It 'keeps every field whole in the list views' {
        $members[1] | Format-List | Out-String | Should -Match 'analytics-platform-team-7'
        $events[0] | Format-List | Out-String | Should -Match "$($image.Id)"
    }
}
