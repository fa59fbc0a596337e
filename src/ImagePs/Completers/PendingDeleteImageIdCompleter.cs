using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;
using ImagePs.Catalog;

namespace ImagePs.Commands;

/// <summary>Completes the ids of PendingDelete images (Restore-Image -Id), by the start of the id or the name.</summary>
public sealed class PendingDeleteImageIdCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = CompletionText.Unquote(wordToComplete);
        return ImageIdCompleter.Offer(
            CompletionCatalog.Images(new ImageQuery { Statuses = new[] { ImageStatus.PendingDelete } }, includeHidden: true), word);
    }
}
