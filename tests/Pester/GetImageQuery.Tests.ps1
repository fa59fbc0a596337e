BeforeDiscovery {
    . $PSScriptRoot/TestBackends.ps1
}

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
}

# Every filter, order and page of Get-Image is done by the catalog; each is checked against the same
# answer computed by Where-Object/Sort-Object over the full listing (same sort keys: the key, then
# CreatedAt, then Id).
Describe 'Get-Image filters, order and paging (<TestBackend>)' -ForEach (Get-TestBackend) {
    BeforeAll {
        Use-TestRepository | Out-Null
        Use-Caller -User alice -Project alpha -Roles admin
        $a = New-Image -Name 'web-b' -DiskFormat raw -ContainerFormat bare -Tag rm-1, keep
        $b = New-Image -Name 'Web-a' -DiskFormat raw -ContainerFormat ova -Protected -Tag rmx
        $b1 = New-RandomFile -Path (Join-Path $TestDrive 'b1.raw') -Length 3000
        $c = $b1 | New-Image -Name 'db' -ContainerFormat bare | Send-ImageData
        Use-Caller -User bob -Project beta -Roles admin
        $b2 = New-RandomFile -Path (Join-Path $TestDrive 'b2.raw') -Length 1000
        $d = $b2 | New-Image -Name 'cache' -ContainerFormat bare -Tag keep | Send-ImageData
        $script:middle = (Get-Image -Id $d.Id).CreatedAt
        $b3 = New-RandomFile -Path (Join-Path $TestDrive 'b3.raw') -Length 2000
        $e = $b3 | New-Image -Name 'web-c' -ContainerFormat bare | Send-ImageData
        Disable-Image -Id $e.Id -Confirm:$false | Out-Null
        $script:all = @(Get-Image)
    }
    AfterAll { Reset-Caller }

    It 'has the images to query' {
        $all.Count | Should -Be 5
    }

    It 'filters by <Filter> as Where-Object does' -ForEach @(
        @{ Filter = 'owner'; Arguments = @{ Owner = 'alpha' }; Where = { $_.Owner -eq 'alpha' } }
        @{ Filter = 'container format'; Arguments = @{ ContainerFormat = 'OVA' }; Where = { $_.ContainerFormat -eq 'ova' } }
        @{ Filter = 'protected'; Arguments = @{ Protected = $true }; Where = { $_.Protected } }
        @{ Filter = 'not protected'; Arguments = @{ Protected = $false }; Where = { -not $_.Protected } }
        @{ Filter = 'min size (inclusive)'; Arguments = @{ MinSize = 2000 }; Where = { $null -ne $_.Size -and $_.Size -ge 2000 } }
        @{ Filter = 'max size (inclusive)'; Arguments = @{ MaxSize = 2000 }; Where = { $null -ne $_.Size -and $_.Size -le 2000 } }
        @{ Filter = 'size range'; Arguments = @{ MinSize = 1000; MaxSize = 1000 }; Where = { $_.Size -eq 1000 } }
        @{ Filter = 'min virtual size'; Arguments = @{ MinVirtualSize = 2000 }; Where = { $null -ne $_.VirtualSize -and $_.VirtualSize -ge 2000 } }
        @{ Filter = 'max virtual size'; Arguments = @{ MaxVirtualSize = 2999 }; Where = { $null -ne $_.VirtualSize -and $_.VirtualSize -le 2999 } }
        @{ Filter = 'tag wildcard'; Arguments = @{ Tag = 'rm*' }; Where = { @($_.Tags | Where-Object { $_ -like 'rm*' }).Count -gt 0 } }
        @{ Filter = 'tag wildcard ?'; Arguments = @{ Tag = 'rm?1' }; Where = { @($_.Tags | Where-Object { $_ -like 'rm?1' }).Count -gt 0 } }
        @{ Filter = 'exact tag'; Arguments = @{ Tag = 'KEEP' }; Where = { $_.Tags -contains 'keep' } }
    ) {
        $expected = @($all | Where-Object $Where | Sort-Object CreatedAt, Id).Id
        $expected.Count | Should -BeGreaterThan 0
        @(Get-Image @Arguments).Id | Should -Be $expected
    }

    It 'filters by time: after is at or after, before is before' {
        @(Get-Image -CreatedAfter $middle).Id | Should -Be @($all | Where-Object CreatedAt -ge $middle | Sort-Object CreatedAt, Id).Id
        @(Get-Image -CreatedBefore $middle).Id | Should -Be @($all | Where-Object CreatedAt -lt $middle | Sort-Object CreatedAt, Id).Id
        @(Get-Image -UpdatedAfter $middle).Id | Should -Be @($all | Where-Object UpdatedAt -ge $middle | Sort-Object CreatedAt, Id).Id
        @(Get-Image -UpdatedBefore $middle).Id | Should -Be @($all | Where-Object UpdatedAt -lt $middle | Sort-Object CreatedAt, Id).Id
        @(Get-Image -CreatedAfter $middle).Count | Should -Be 2
    }

    It 'takes a time of unspecified kind as local time' {
        $local = [datetime]::SpecifyKind($middle.ToLocalTime(), 'Unspecified')
        @(Get-Image -CreatedAfter $local).Id | Should -Be @(Get-Image -CreatedAfter $middle).Id
    }

    It 'filters by checksum and os_hash_value, any case' {
        (Get-Image -Checksum $c.Checksum.ToUpperInvariant()).Id | Should -Be $c.Id
        (Get-Image -OsHashValue $d.OsHashValue.ToUpperInvariant()).Id | Should -Be $d.Id
    }

    It 'sorts by <SortBy> (descending: <Descending>) as Sort-Object does' -ForEach @(
        @{ SortBy = 'Name'; Descending = $false }, @{ SortBy = 'Name'; Descending = $true }
        @{ SortBy = 'Size'; Descending = $false }, @{ SortBy = 'Size'; Descending = $true }
        @{ SortBy = 'VirtualSize'; Descending = $false }, @{ SortBy = 'Status'; Descending = $false }
        @{ SortBy = 'Status'; Descending = $true }, @{ SortBy = 'UpdatedAt'; Descending = $false }
        @{ SortBy = 'CreatedAt'; Descending = $true }
    ) {
        $key = switch ($SortBy) {
            'Name' { { if ($null -eq $_.Name) { '' } else { $_.Name.ToUpperInvariant() } } }
            'Status' { { [int]$_.Status } }
            'Size' { { if ($null -eq $_.Size) { -1 } else { $_.Size } } }
            'VirtualSize' { { if ($null -eq $_.VirtualSize) { -1 } else { $_.VirtualSize } } }
            default { [scriptblock]::Create("`$_.$SortBy") }
        }
        $expected = @($all | Sort-Object -Property $key, CreatedAt, { $_.Id.ToString() } -Descending:$Descending -CaseSensitive).Id
        @(Get-Image -SortBy $SortBy -Descending:$Descending).Id | Should -Be $expected
    }

    It 'finds the newest image of a name in a status with -First 1' {
        $newest = Get-Image -Name 'web-*' -Status Queued -SortBy CreatedAt -Descending -First 1
        $newest.Id | Should -Be $b.Id
    }

    It 'pages with -First and -Skip as Select-Object does' {
        $sorted = @($all | Sort-Object CreatedAt, Id).Id
        @(Get-Image -First 2).Id | Should -Be $sorted[0..1]
        @(Get-Image -Skip 3).Id | Should -Be $sorted[3..4]
        @(Get-Image -Skip 1 -First 2).Id | Should -Be $sorted[1..2]
        @(Get-Image -First 0).Count | Should -Be 0
        @(Get-Image -Skip 10).Count | Should -Be 0
        @(Get-Image -Tag 'rm?1' -First 1 -Skip 1).Count | Should -Be 0
    }

    It 'reports the total count with -IncludeTotalCount' {
        $result = @(Get-Image -Owner alpha -First 1 -IncludeTotalCount)
        $result[0].ToString() | Should -Match '3'
        $result.Count | Should -Be 2
        $result[1].Owner | Should -Be 'alpha'
    }

    It 'binds a positional GUID-shaped string as an id and -Name as a name' {
        (Get-Image $d.Id.ToString()).Id | Should -Be $d.Id
        (Get-Image 'db').Id | Should -Be $c.Id
        $failure = $null
        Get-Image -Name $d.Id.ToString() -ErrorVariable failure -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failure[0].FullyQualifiedErrorId | Should -Match '^ImageNameNotFound|NotFound'
    }

    It 'binds piped GUID strings as ids for Get-Image and Remove-Image' {
        ($c.Id.ToString() | Get-Image).Name | Should -Be 'db'
        $extra = New-Image -Name 'to-remove'
        $extra.Id.ToString() | Remove-Image -Confirm:$false
        Get-Image -Name 'to-remove' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}

# Glance's os_hidden: listings (a name filter too) leave hidden images out unless asked; a GET by id finds them.
Describe 'Hidden images in Get-Image (<TestBackend>)' -ForEach (Get-TestBackend) {
    BeforeAll {
        Use-TestRepository | Out-Null
        $web1 = New-Image -Name web-1 -DiskFormat raw -Tag fleet
        $web2 = New-Image -Name web-2 -DiskFormat raw -Tag fleet -Hidden
        $data = New-RandomFile -Path (Join-Path $TestDrive 'hidden.raw') -Length 2048
        $web3 = $data | New-Image -Name web-3 -Tag fleet -Hidden | Send-ImageData
        $web4 = New-Image -Name web-4 -DiskFormat raw -Tag fleet
        $script:everything = @(Get-Image -IncludeHidden)
    }

    It 'leaves hidden images out of every listing unless -IncludeHidden' {
        $everything.Count | Should -Be 4
        @(Get-Image).Id | Should -Be @($everything | Where-Object { -not $_.Hidden }).Id
        @(Get-Image).Id | Should -Be @($web1.Id, $web4.Id)
        @(Get-Image -Name web-*).Id | Should -Be @($web1.Id, $web4.Id)
        @(Get-Image -Tag fleet -SortBy Name -Descending).Id | Should -Be @($web4.Id, $web1.Id)
        @(Get-Image -IncludeHidden | Where-Object Hidden).Id | Should -Be @($web2.Id, $web3.Id)
        @(Get-Image -IncludeHidden -Status Active).Id | Should -Be @($web3.Id)
        @(Get-Image -Status Active) | Should -BeNullOrEmpty
        (Get-Image -IncludeHidden -MinSize 2048).Checksum | Should -Be $web3.Checksum
    }

    It 'pages and counts the listed images only' {
        $page = @(Get-Image -IncludeTotalCount -First 1 -Skip 1)
        $page[0].ToString() | Should -Match 'Total count: 2'
        $page[1].Id | Should -Be $web4.Id
        $withHidden = @(Get-Image -IncludeHidden -IncludeTotalCount -First 1 -Skip 1)
        $withHidden[0].ToString() | Should -Match 'Total count: 4'
        $withHidden[1].Id | Should -Be $web2.Id
    }

    It 'finds a hidden image by id in every form' {
        (Get-Image -Id $web2.Id).Name | Should -Be 'web-2'
        (Get-Image $web3.Id.ToString()).Size | Should -Be 2048
        ($web3.Id.ToString() | Get-Image).Hidden | Should -BeTrue
        ($web2 | Get-Image).Id | Should -Be $web2.Id
    }

    It 'writes ImageNotFound for the exact name of a hidden image, saying how to list it' {
        Get-Image -Name web-2 -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ImageNotFound,*'
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].Exception.Message | Should -Match 'web-2'
        $failures[0].Exception.Message | Should -Match 'IncludeHidden'

        Get-Image -Name nothing-here -ErrorVariable missing -ErrorAction SilentlyContinue
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'ImageNotFound,*'
        $missing[0].Exception.Message | Should -Not -Match 'IncludeHidden'

        (Get-Image -Name web-2 -IncludeHidden -ErrorAction Stop).Id | Should -Be $web2.Id
    }

    It 'still counts hidden images in Get-ImageUsage (they are stored and count against quotas)' {
        $usage = Get-ImageUsage
        $usage.ImageCount | Should -Be 4
        $usage.StorageUsed | Should -Be 2048
    }

    It 'shows Hidden in the list view' {
        Get-Image -Id $web2.Id | Format-List | Out-String | Should -Match '(?m)^Hidden\s+: True'
        Get-Image -Id $web1.Id | Format-List | Out-String | Should -Match '(?m)^Hidden\s+: False'
    }
}

Describe 'Get-Image paging keeps to what the caller sees (<TestBackend>)' -ForEach (Get-TestBackend) {
    BeforeAll {
        Use-TestRepository | Out-Null
        Use-Caller -User alice -Project alpha -Roles member, reader
        1..3 | ForEach-Object { New-Image -Name "mine-$_" -Visibility Private | Out-Null }
        Use-Caller -User bob -Project beta -Roles member, reader
        1..3 | ForEach-Object { New-Image -Name "theirs-$_" -Visibility Private | Out-Null }
        Use-Caller -User bob -Project beta -Roles admin
        $script:public = New-Image -Name 'public-1' -Visibility Public
    }
    AfterAll { Reset-Caller }

    It 'pages and counts only visible images' {
        Use-Caller -User alice -Project alpha -Roles member, reader
        $all = @(Get-Image)
        $all.Count | Should -Be 4
        $all.Name | Should -Not -Contain 'theirs-1'
        @(Get-Image -Skip 3).Name | Should -Be 'public-1'
        (@(Get-Image -First 1 -IncludeTotalCount)[0]).ToString() | Should -Match '4'
    }
}

Describe 'Images as CSV' {
    BeforeAll {
        Use-TestRepository | Out-Null
        New-Image -Name csv -Tag b, a -Property @{ zeta = '1'; alpha = 'x=y' } | Out-Null
    }

    It 'gives tags joined with ; and properties as sorted key=value pairs, never type names' {
        $row = Get-Image -Name csv | ConvertTo-Csv | ConvertFrom-Csv
        @($row.Tags -split ';' | Sort-Object) | Should -Be @('a', 'b')
        $row.Properties | Should -Be 'alpha=x=y;zeta=1'
        (Get-Image -Name csv | ConvertTo-Csv) -join "`n" | Should -Not -Match 'System\.|ReadOnly'
    }

    It 'keeps the image an [ImagePs.Image] with a list of tags' {
        $image = Get-Image -Name csv
        $image | Should -BeOfType ([ImagePs.Image])
        $image.Tags.Count | Should -Be 2
        $image.Properties['zeta'] | Should -Be '1'
    }
}
