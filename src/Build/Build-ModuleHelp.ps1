#Requires -Version 7.4
<#
.SYNOPSIS
    Builds the module's help (MAML and about topics) from the source-controlled help texts.

.DESCRIPTION
    Prose comes from module/help/<Cmdlet-Name>.md (format: module/help/README.md); everything the
    compiled module knows is taken from the module itself: parameter sets, types, positions,
    mandatory flags, pipeline binding, aliases, wildcard support. So a help text only holds what a
    person has to write, and the syntax shown by Get-Help can never drift from the real cmdlet.

    Imports the module, so run it in a fresh pwsh (build.ps1 does). Writes
    <OutputPath>/ImagePs.dll-Help.xml (where PowerShell looks for a binary module's cmdlet help:
    <module base>/<culture>/<assembly>-Help.xml) and copies every about_*.help.txt beside it.

    Missing or incomplete help is reported as a warning per problem (the build goes on, the Pester
    suite fails); a help text that cannot be parsed stops the build.

.EXAMPLE
    pwsh -NoProfile -File src/Build/Build-ModuleHelp.ps1 -ManifestPath ./ImagePs.psd1 -SourcePath ./module/help -OutputPath ./en-US
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ManifestPath,
    [Parameter(Mandatory)] [string] $SourcePath,
    [Parameter(Mandatory)] [string] $OutputPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$MamlNamespace = 'http://schemas.microsoft.com/maml/2004/10'
$CommandNamespace = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$DevNamespace = 'http://schemas.microsoft.com/maml/dev/2004/10'

# What -WhatIf and -Confirm mean is the same for every cmdlet; a help text may still say more.
$StandardParameterHelp = @{
    WhatIf  = @('Shows what the command would do, without doing it. Nothing is changed.')
    Confirm = @('Asks for confirmation before each change. -Confirm:$false never asks.')
}

function ConvertFrom-InlineMarkdown {
    # Plain text for Get-Help: `code` and **bold** lose their marks, [text](uri) becomes "text (uri)".
    param([string] $Text)
    $Text = [regex]::Replace($Text, '\[([^\]]+)\]\(([^)]+)\)', '$1 ($2)')
    $Text = [regex]::Replace($Text, '\*\*([^*]+)\*\*', '$1')
    [regex]::Replace($Text, '`([^`]+)`', '$1')
}

function ConvertTo-Paragraphs {
    # Markdown lines -> paragraphs: blank lines separate, list items stand alone, fenced code keeps its lines.
    param([string[]] $Lines)
    $paragraphs = [System.Collections.Generic.List[string]]::new()
    $current = [System.Collections.Generic.List[string]]::new()
    $inCode = $false
    $code = [System.Collections.Generic.List[string]]::new()
    $flush = {
        if ($current.Count) { $paragraphs.Add((ConvertFrom-InlineMarkdown ($current -join ' '))); $current.Clear() }
    }
    foreach ($line in $Lines) {
        if ($line -match '^\s*```') {
            if ($inCode) { $paragraphs.Add(($code -join "`n")); $code.Clear(); $inCode = $false }
            else { & $flush; $inCode = $true }
            continue
        }
        if ($inCode) { $code.Add($line); continue }
        if ($line -match '^\s*$') { & $flush; continue }
        if ($line -match '^\s*[-*] ') { & $flush; $current.Add(($line.Trim() -replace '^\* ', '- ')); continue }
        $current.Add($line.Trim())
    }
    if ($inCode) { throw 'A fenced code block is not closed.' }
    & $flush
    , $paragraphs.ToArray()
}

function Split-Sections {
    # Splits lines at headings of the given level: an ordered map heading -> lines below it.
    param([string[]] $Lines, [int] $Level)
    $marker = ('#' * $Level) + ' '
    $sections = [ordered]@{}
    $name = $null
    $inCode = $false
    foreach ($line in $Lines) {
        if ($line -match '^\s*```') { $inCode = -not $inCode }
        if (-not $inCode -and $line.StartsWith($marker)) {
            $name = $line.Substring($marker.Length).Trim()
            if ($sections.Contains($name)) { throw "The heading '$marker$name' appears twice." }
            $sections[$name] = [System.Collections.Generic.List[string]]::new()
            continue
        }
        if ($null -eq $name) {
            if ($line.Trim()) { throw "Text before the first '$marker' heading: '$line'." }
            continue
        }
        $sections[$name].Add($line)
    }
    $sections
}

function Read-HelpSource {
    # Parses module/help/<Name>.md into a hashtable (format: module/help/README.md).
    param([string] $Path, [string] $CommandName)
    $lines = @(Get-Content -LiteralPath $Path)
    $first = ($lines | Where-Object { $_.Trim() } | Select-Object -First 1)
    if ($first -ne "# $CommandName") { throw "$Path must start with '# $CommandName'." }
    $start = [array]::IndexOf($lines, $first) + 1
    $body = if ($start -lt $lines.Count) { $lines[$start..($lines.Count - 1)] } else { @() }
    $sections = Split-Sections $body 2
    $known = 'SYNOPSIS', 'DESCRIPTION', 'PARAMETERS', 'INPUTS', 'OUTPUTS', 'NOTES', 'EXAMPLES', 'RELATED LINKS'
    foreach ($name in $sections.Keys) {
        if ($name -cnotin $known) { throw "$Path has an unknown section '## $name' (known: $($known -join ', '))." }
    }
    $text = { param($name) if ($sections.Contains($name)) { ConvertTo-Paragraphs $sections[$name] } else { , @() } }

    $parameters = [ordered]@{}
    if ($sections.Contains('PARAMETERS')) {
        $byName = Split-Sections $sections['PARAMETERS'] 3
        foreach ($heading in $byName.Keys) {
            if ($heading -notmatch '^-(\w+)$') { throw "$Path has a parameter heading '### $heading'; write '### -Name'." }
            $parameterName = $Matches[1]
            $default = $null
            $prose = foreach ($line in $byName[$heading]) {
                if ($line -match '^Default value:\s*(.+)$') { $default = $Matches[1].Trim() } else { $line }
            }
            $parameters[$parameterName] = @{ Paragraphs = (ConvertTo-Paragraphs @($prose)); Default = $default }
        }
    }

    $types = {
        param($name)
        $result = [ordered]@{}
        if ($sections.Contains($name)) {
            $byType = Split-Sections $sections[$name] 3
            foreach ($type in $byType.Keys) { $result[$type] = ConvertTo-Paragraphs $byType[$type] }
        }
        $result
    }

    $examples = [System.Collections.Generic.List[hashtable]]::new()
    if ($sections.Contains('EXAMPLES')) {
        $byTitle = Split-Sections $sections['EXAMPLES'] 3
        foreach ($title in $byTitle.Keys) {
            $exampleLines = $byTitle[$title]
            $start = -1; $end = -1
            for ($i = 0; $i -lt $exampleLines.Count; $i++) {
                if ($exampleLines[$i] -match '^\s*```') { if ($start -lt 0) { $start = $i } elseif ($end -lt 0) { $end = $i } }
            }
            if ($start -lt 0 -or $end -lt 0) { throw "$Path, example '$title': the code must be in a fenced block (```powershell ... ```)." }
            if ($end -eq $start + 1) { throw "$Path, example '$title': the code block is empty." }
            $code = ($exampleLines[($start + 1)..($end - 1)] -join "`n").TrimEnd()
            $remarks = if ($end + 1 -lt $exampleLines.Count) { ConvertTo-Paragraphs $exampleLines[($end + 1)..($exampleLines.Count - 1)] } else { @() }
            $examples.Add(@{ Title = $title; Code = $code; Remarks = $remarks })
        }
    }

    $links = [System.Collections.Generic.List[hashtable]]::new()
    if ($sections.Contains('RELATED LINKS')) {
        foreach ($line in $sections['RELATED LINKS']) {
            if ($line -match '^\s*-\s+\[([^\]]+)\]\(([^)]*)\)\s*$') { $links.Add(@{ Text = $Matches[1]; Uri = $Matches[2] }) }
            elseif ($line -match '^\s*-\s+(\S.*)$') { $links.Add(@{ Text = $Matches[1].Trim(); Uri = '' }) }
            elseif ($line.Trim()) { throw "$Path, RELATED LINKS: '$line' is not a '- link' line." }
        }
    }

    @{
        Synopsis    = & $text 'SYNOPSIS'
        Description = & $text 'DESCRIPTION'
        Notes       = & $text 'NOTES'
        Parameters  = $parameters
        Inputs      = & $types 'INPUTS'
        Outputs     = & $types 'OUTPUTS'
        Examples    = $examples.ToArray()
        Links       = $links.ToArray()
    }
}

function Get-HelpParameter {
    # The parameters Get-Help should list: all but the common ones (-WhatIf and -Confirm stay).
    param([System.Management.Automation.CommandInfo] $Command)
    $common = [System.Management.Automation.Cmdlet]::CommonParameters
    $Command.Parameters.Values | Where-Object { $_.Name -notin $common }
}

function Get-TypeName {
    param([type] $Type)
    if ($Type -eq [System.Management.Automation.SwitchParameter]) { return 'SwitchParameter' }
    # Short names, as platyPS writes them (String, Int32, Guid[], Hashtable, ImageVisibility).
    if ($Type.IsArray) { return (Get-TypeName $Type.GetElementType()) + '[]' }
    $Type.Name
}

function Get-PipelineText {
    param($Attributes)
    $byValue = [bool]($Attributes | Where-Object ValueFromPipeline)
    $byName = [bool]($Attributes | Where-Object ValueFromPipelineByPropertyName)
    if ($byValue -and $byName) { 'True (ByValue, ByPropertyName)' }
    elseif ($byValue) { 'True (ByValue)' }
    elseif ($byName) { 'True (ByPropertyName)' }
    else { 'False' }
}

function Write-Paragraphs {
    param([System.Xml.XmlWriter] $Writer, [string[]] $Paragraphs)
    foreach ($paragraph in $Paragraphs) { $Writer.WriteElementString('maml', 'para', $MamlNamespace, $paragraph) }
}

function Write-Description {
    param([System.Xml.XmlWriter] $Writer, [string[]] $Paragraphs)
    $Writer.WriteStartElement('maml', 'description', $MamlNamespace)
    Write-Paragraphs $Writer $Paragraphs
    $Writer.WriteEndElement()
}

function Write-ParameterElement {
    # One <command:parameter>: in a syntax item (attributes of that parameter set) or in the parameter list.
    param(
        [System.Xml.XmlWriter] $Writer,
        [System.Management.Automation.ParameterMetadata] $Parameter,
        $SetAttributes,
        [hashtable] $Text
    )
    $isSwitch = $Parameter.ParameterType -eq [System.Management.Automation.SwitchParameter]
    $required = [bool]($SetAttributes | Where-Object Mandatory)
    $positions = @($SetAttributes | Where-Object { $_.Position -ge 0 } | ForEach-Object Position | Sort-Object -Unique)
    $position = if ($positions.Count) { [string]$positions[0] } else { 'named' }
    $globbing = [bool]($Parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
    $aliases = if ($Parameter.Aliases.Count) { $Parameter.Aliases -join ', ' } else { 'none' }
    $typeName = Get-TypeName $Parameter.ParameterType

    $Writer.WriteStartElement('command', 'parameter', $CommandNamespace)
    $Writer.WriteAttributeString('required', $required.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('variableLength', $Parameter.ParameterType.IsArray.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('globbing', $globbing.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('pipelineInput', (Get-PipelineText $SetAttributes))
    $Writer.WriteAttributeString('position', $position)
    $Writer.WriteAttributeString('aliases', $aliases)
    $Writer.WriteElementString('maml', 'name', $MamlNamespace, $Parameter.Name)
    Write-Description $Writer $Text.Paragraphs
    if (-not $isSwitch) {
        $Writer.WriteStartElement('command', 'parameterValue', $CommandNamespace)
        $Writer.WriteAttributeString('required', 'true')
        $Writer.WriteAttributeString('variableLength', $Parameter.ParameterType.IsArray.ToString().ToLowerInvariant())
        $Writer.WriteString($typeName)
        $Writer.WriteEndElement()
    }
    $Writer.WriteStartElement('dev', 'type', $DevNamespace)
    $Writer.WriteElementString('maml', 'name', $MamlNamespace, $typeName)
    $Writer.WriteEndElement()
    $Writer.WriteElementString('dev', 'defaultValue', $DevNamespace, $(if ($Text.Default) { $Text.Default } elseif ($isSwitch) { 'False' } else { 'None' }))
    $Writer.WriteEndElement()
}

function Write-TypeList {
    param([System.Xml.XmlWriter] $Writer, [string] $ListName, [string] $ItemName, $Types)
    $Writer.WriteStartElement('command', $ListName, $CommandNamespace)
    foreach ($type in $Types.Keys) {
        $Writer.WriteStartElement('command', $ItemName, $CommandNamespace)
        $Writer.WriteStartElement('dev', 'type', $DevNamespace)
        $Writer.WriteElementString('maml', 'name', $MamlNamespace, $type)
        $Writer.WriteEndElement()
        Write-Description $Writer $Types[$type]
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()
}

function Write-CommandHelp {
    param([System.Xml.XmlWriter] $Writer, [System.Management.Automation.CmdletInfo] $Command, [hashtable] $Help, [System.Collections.Generic.List[string]] $Problems)
    $name = $Command.Name
    $parameters = @(Get-HelpParameter $Command)
    $texts = @{}
    foreach ($parameter in $parameters) {
        $text = $Help.Parameters[$parameter.Name]
        if (-not $text -or -not $text.Paragraphs) {
            if ($StandardParameterHelp.ContainsKey($parameter.Name)) { $text = @{ Paragraphs = $StandardParameterHelp[$parameter.Name]; Default = $null } }
            else { $Problems.Add("${name}: parameter -$($parameter.Name) has no description."); $text = @{ Paragraphs = @(); Default = $null } }
        }
        $texts[$parameter.Name] = $text
    }
    foreach ($described in $Help.Parameters.Keys) {
        if ($described -notin $parameters.Name) { $Problems.Add("${name}: the help describes -$described, which the cmdlet does not have.") }
    }
    if (-not $Help.Synopsis) { $Problems.Add("${name}: no SYNOPSIS.") }
    if (-not $Help.Description) { $Problems.Add("${name}: no DESCRIPTION.") }
    if ($Help.Examples.Count -lt 2) { $Problems.Add("${name}: $($Help.Examples.Count) example(s); at least 2 are expected.") }
    if ($Help.Links.Count -lt 1) { $Problems.Add("${name}: no RELATED LINKS.") }

    $Writer.WriteStartElement('command', 'command', $CommandNamespace)
    $Writer.WriteAttributeString('xmlns', 'maml', $null, $MamlNamespace)
    $Writer.WriteAttributeString('xmlns', 'dev', $null, $DevNamespace)

    $Writer.WriteStartElement('command', 'details', $CommandNamespace)
    $Writer.WriteElementString('command', 'name', $CommandNamespace, $name)
    $Writer.WriteElementString('command', 'verb', $CommandNamespace, $Command.Verb)
    $Writer.WriteElementString('command', 'noun', $CommandNamespace, $Command.Noun)
    Write-Description $Writer $Help.Synopsis
    $Writer.WriteEndElement()

    Write-Description $Writer $Help.Description

    $Writer.WriteStartElement('command', 'syntax', $CommandNamespace)
    $sets = @($Command.ParameterSets | Sort-Object { -not $_.IsDefault })
    foreach ($set in $sets) {
        $Writer.WriteStartElement('command', 'syntaxItem', $CommandNamespace)
        $Writer.WriteElementString('maml', 'name', $MamlNamespace, $name)
        # As PowerShell writes syntax: positional parameters by position, then mandatory, then the rest.
        $ordered = $set.Parameters | Sort-Object -Stable { if ($_.Position -ge 0) { $_.Position } else { [int]::MaxValue } }, { -not $_.IsMandatory }
        foreach ($setParameter in $ordered) {
            if ($setParameter.Name -notin $parameters.Name) { continue }
            $metadata = $Command.Parameters[$setParameter.Name]
            $attributes = @($metadata.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and ($_.ParameterSetName -eq $set.Name -or $_.ParameterSetName -eq '__AllParameterSets') })
            Write-ParameterElement $Writer $metadata $attributes $texts[$setParameter.Name]
        }
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'parameters', $CommandNamespace)
    foreach ($parameter in $parameters | Sort-Object Name) {
        $attributes = @($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] })
        Write-ParameterElement $Writer $parameter $attributes $texts[$parameter.Name]
    }
    $Writer.WriteEndElement()

    Write-TypeList $Writer 'inputTypes' 'inputType' $Help.Inputs
    Write-TypeList $Writer 'returnValues' 'returnValue' $Help.Outputs

    if ($Help.Notes) {
        $Writer.WriteStartElement('maml', 'alertSet', $MamlNamespace)
        $Writer.WriteStartElement('maml', 'alert', $MamlNamespace)
        Write-Paragraphs $Writer $Help.Notes
        $Writer.WriteEndElement()
        $Writer.WriteEndElement()
    }

    $Writer.WriteStartElement('command', 'examples', $CommandNamespace)
    foreach ($example in $Help.Examples) {
        $Writer.WriteStartElement('command', 'example', $CommandNamespace)
        $Writer.WriteElementString('maml', 'title', $MamlNamespace, "--------- $($example.Title) ---------")
        $Writer.WriteElementString('dev', 'code', $DevNamespace, $example.Code)
        $Writer.WriteStartElement('dev', 'remarks', $DevNamespace)
        Write-Paragraphs $Writer (@($example.Remarks) + '') # the empty paragraph separates examples on screen
        $Writer.WriteEndElement()
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'relatedLinks', $CommandNamespace)
    foreach ($link in $Help.Links) {
        $Writer.WriteStartElement('maml', 'navigationLink', $MamlNamespace)
        $Writer.WriteElementString('maml', 'linkText', $MamlNamespace, $link.Text)
        $Writer.WriteElementString('maml', 'uri', $MamlNamespace, $link.Uri)
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteEndElement()
}

$module = Import-Module -Name $ManifestPath -Force -PassThru
$commands = @(Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name)
$assemblies = @($commands | ForEach-Object { [IO.Path]::GetFileName($_.ImplementingType.Assembly.Location) } | Sort-Object -Unique)
if ($assemblies.Count -ne 1) { throw "Expected every cmdlet in one assembly, found: $($assemblies -join ', ')." }

New-Item -ItemType Directory -Force -Path $OutputPath | Out-Null
$helpFile = Join-Path $OutputPath "$($assemblies[0])-Help.xml"
$problems = [System.Collections.Generic.List[string]]::new()

$settings = [System.Xml.XmlWriterSettings]::new()
$settings.Indent = $true
$settings.Encoding = [System.Text.UTF8Encoding]::new($false)
$writer = [System.Xml.XmlWriter]::Create($helpFile, $settings)
try {
    $writer.WriteStartDocument()
    $writer.WriteStartElement('helpItems', 'http://msh')
    $writer.WriteAttributeString('schema', 'maml')
    foreach ($command in $commands) {
        $source = Join-Path $SourcePath "$($command.Name).md"
        if (-not (Test-Path -LiteralPath $source)) {
            $problems.Add("$($command.Name): no help text ($source).")
            continue
        }
        try {
            $help = Read-HelpSource -Path $source -CommandName $command.Name
        }
        catch {
            throw "Help text ${source}: $($_.Exception.Message)"
        }
        Write-CommandHelp $writer $command $help $problems
    }
    $writer.WriteEndElement()
    $writer.WriteEndDocument()
}
finally {
    $writer.Dispose()
}

$about = @(Get-ChildItem -LiteralPath $SourcePath -Filter 'about_*.help.txt' -File)
foreach ($topic in $about) { Copy-Item -LiteralPath $topic.FullName -Destination $OutputPath -Force }

foreach ($problem in $problems) { Write-Warning "Help: $problem" }
Write-Host "Help: $($commands.Count) cmdlets, $($about.Count) about topic(s) -> $OutputPath"
