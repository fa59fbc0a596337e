BeforeDiscovery {
    # Every exported cmdlet, also the ones added later: each needs its help text in module/help.
    $cmdlets = (Import-PowerShellDataFile -Path (Join-Path $PSScriptRoot '../../ImagePs.psd1')).CmdletsToExport |
        ForEach-Object { @{ Name = $_ } }
}

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    $common = [System.Management.Automation.Cmdlet]::CommonParameters
    $exported = @(Get-Command -Module ImagePs -CommandType Cmdlet)
    # Every error id: ImageErrors.cs is the one list of them.
    $errorIds = Select-String -LiteralPath (Join-Path $RepoRoot 'src/ImagePs.Core/Errors/ImageErrors.cs') -Pattern 'new(?:\s+\w+)?\("([A-Z]\w+)", ' -AllMatches |
        ForEach-Object { $_.Matches } | ForEach-Object { $_.Groups[1].Value } | Sort-Object -Unique
}

Describe 'Help for <Name>' -ForEach $cmdlets {
    BeforeAll {
        $command = Get-Command $Name
        $help = Get-Help $Name -Full
    }

    It 'comes from the module''s help file' {
        Split-Path -Leaf $command.HelpFile | Should -Be 'ImagePs.dll-Help.xml'
        Join-Path $command.Module.ModuleBase 'en-US/ImagePs.dll-Help.xml' | Should -Exist
    }

    It 'has a synopsis, not the syntax PowerShell makes up without help' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match ([regex]::Escape($Name) + '\s+\[')
        $help.Synopsis.Length | Should -BeGreaterThan 20
    }

    It 'has a description' {
        ($help.description.Text -join ' ').Length | Should -BeGreaterThan 80
    }

    It 'describes every parameter' {
        $parameters = $command.Parameters.Keys | Where-Object { $_ -notin $common }
        $parameters | Should -Not -BeNullOrEmpty
        foreach ($parameter in $parameters) {
            $text = (Get-Help $Name -Parameter $parameter).description.Text -join ' '
            $text | Should -Not -BeNullOrEmpty -Because "-$parameter needs a description"
        }
    }

    It 'shows the real parameter sets in its syntax' {
        @($help.syntax.syntaxItem).Count | Should -Be @($command.ParameterSets).Count
        foreach ($item in $help.syntax.syntaxItem) {
            foreach ($parameter in $item.parameter) { $command.Parameters.Keys | Should -Contain $parameter.name }
        }
    }

    It 'has at least two examples, shown by Get-Help -Examples' {
        $examples = @((Get-Help $Name -Examples).examples.example)
        $examples.Count | Should -BeGreaterOrEqual 2
        foreach ($example in $examples) {
            $example.code | Should -Not -BeNullOrEmpty
            ($example.remarks.Text -join '').Trim() | Should -Not -BeNullOrEmpty
        }
    }

    It 'has examples that parse and use only real ImagePs cmdlets and parameters' {
        foreach ($example in (Get-Help $Name -Examples).examples.example) {
            $errors = $null
            $ast = [System.Management.Automation.Language.Parser]::ParseInput($example.code, [ref]$null, [ref]$errors)
            $errors | Should -BeNullOrEmpty -Because "example '$($example.title)' must parse"
            $calls = $ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.CommandAst] }, $true)
            foreach ($call in $calls) {
                $used = $call.GetCommandName()
                if ($used -notlike '*-Image*') { continue }
                $used | Should -BeIn $exported.Name -Because "example '$($example.title)' calls $used"
                $target = $exported | Where-Object Name -EQ $used
                foreach ($argument in $call.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] }) {
                    $matching = @($target.Parameters.Values | Where-Object { $_.Name -like "$($argument.ParameterName)*" -or $_.Aliases -contains $argument.ParameterName })
                    $matching.Count | Should -BeGreaterThan 0 -Because "$used has no parameter -$($argument.ParameterName) (example '$($example.title)')"
                }
            }
        }
    }

    It 'links to about_ImagePs and related cmdlets' {
        $links = @($help.relatedLinks.navigationLink.linkText)
        $links | Should -Contain 'about_ImagePs'
        foreach ($link in $links | Where-Object { $_ -like '*-*' }) { $link | Should -BeIn $exported.Name }
    }

    It 'declares its output type' {
        $command.OutputType | Should -Not -BeNullOrEmpty
    }

    It 'names its parameter sets when it has several' {
        if (@($command.ParameterSets).Count -gt 1) {
            $command.ParameterSets.Name | Should -Not -Contain '__AllParameterSets'
        }
    }
}

Describe 'about_ImagePs' {
    BeforeAll {
        $about = Get-Help about_ImagePs | Out-String
    }

    It 'is found by Get-Help after Import-Module' {
        $about | Should -Match 'TOPIC\s+about_ImagePs'
    }

    It 'explains the repository, statuses and settings' {
        foreach ($concept in 'IMAGEPS_HOME', 'catalog.db', 'imageps.json', 'ImageSizeCap', 'QemuImgPath', 'compare-and-swap',
            'Queued', 'Saving', 'Active', 'Deactivated', 'Deleted', 'ErrorVariable', 'ConfirmPreference', 'ProgressPreference') {
            $about | Should -Match ([regex]::Escape($concept))
        }
    }

    It 'lists every error id the module can raise' {
        $errorIds.Count | Should -BeGreaterThan 30
        foreach ($id in $errorIds) { $about | Should -Match "\b$id\b" -Because "$id is an error id" }
    }

    It 'shows every cmdlet' {
        foreach ($name in $exported.Name) { $about | Should -Match ([regex]::Escape($name)) }
    }
}

Describe 'The README' {
    BeforeAll {
        $readme = Get-Content -LiteralPath (Join-Path $RepoRoot 'README.md') -Raw
    }

    It 'names every cmdlet in its tour' {
        foreach ($name in $exported.Name) { $readme | Should -Match ([regex]::Escape($name)) -Because "the README's tour names $name" }
    }

    It 'stays short enough to read in five minutes' {
        @(Get-Content -LiteralPath (Join-Path $RepoRoot 'README.md')).Count | Should -BeLessOrEqual 400
    }

    It 'points at help topics that Get-Help finds' {
        $topics = @([regex]::Matches($readme, '`(about_ImagePs\w*)`') | ForEach-Object { $_.Groups[1].Value } | Sort-Object -Unique)
        $topics.Count | Should -BeGreaterThan 3
        foreach ($topic in $topics) { Get-Help $topic | Out-String | Should -Match "TOPIC\s+$topic\b" }
    }

    It 'links only to files that exist' {
        foreach ($link in [regex]::Matches($readme, '\]\(([^)#:]+)\)')) {
            Join-Path $RepoRoot $link.Groups[1].Value | Should -Exist
        }
    }
}
