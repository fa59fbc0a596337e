using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace ImagePs.Commands;

/// <summary>Completes the tags images in the catalog carry, each once, with how many images carry it.</summary>
public sealed class ImageTagCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = CompletionText.Unquote(wordToComplete);
        return CompletionCatalog.Images(null, CompletionCatalog.IncludesHidden(fakeBoundParameters))
            .SelectMany(image => image.Tags)
            .Where(tag => tag.StartsWith(word, StringComparison.OrdinalIgnoreCase))
            .GroupBy(tag => tag, StringComparer.OrdinalIgnoreCase)
            .OrderBy(group => group.Key, StringComparer.OrdinalIgnoreCase)
            .Take(CompletionCatalog.MaxResults)
            .Select(group => new CompletionResult(
                CompletionText.Quote(group.Key),
                group.Key,
                CompletionResultType.ParameterValue,
                string.Format(Messages.CompletionTagToolTip, group.Key, group.Count())))
            .ToList();
    }
}
