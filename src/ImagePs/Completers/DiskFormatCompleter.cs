using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;
using ImagePs.Domain;

namespace ImagePs.Commands;

/// <summary>Completes the disk formats Glance accepts (qcow2, raw, vmdk, ...).</summary>
public sealed class DiskFormatCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        FormatCompletion.Complete(ImageFormats.DiskFormats, wordToComplete);
}
