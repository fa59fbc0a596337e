using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;
using ImagePs.Domain;

namespace ImagePs.Commands;

/// <summary>Completes the container formats Glance accepts (bare, ovf, ova, ...).</summary>
public sealed class ContainerFormatCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        FormatCompletion.Complete(ImageFormats.ContainerFormats, wordToComplete);
}
