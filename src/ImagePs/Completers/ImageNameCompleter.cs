using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace ImagePs.Commands;

/// <summary>
/// Completes image names for a parameter that takes wildcards (Get-Image -Name): each name once,
/// escaped so it matches literally, with the status of the image(s) of that name as tooltip.
/// </summary>
public sealed class ImageNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = CompletionText.Unquote(wordToComplete);
        return CompletionCatalog.ImagesNamedLike(word, CompletionCatalog.IncludesHidden(fakeBoundParameters))
            .Where(image => image.Name is not null && image.Name.StartsWith(word, StringComparison.OrdinalIgnoreCase))
            .GroupBy(image => image.Name!, StringComparer.Ordinal)
            .OrderBy(group => group.Key, StringComparer.OrdinalIgnoreCase)
            .Take(CompletionCatalog.MaxResults)
            .Select(group => new CompletionResult(
                CompletionText.Quote(CompletionText.EscapeWildcards(group.Key)),
                string.Format(Messages.CompletionNameListItem, group.Key, string.Join(", ", group.Select(i => i.Status).Distinct())),
                CompletionResultType.ParameterValue,
                string.Join(Environment.NewLine, group.Select(ImageIdCompleter.Describe))))
            .ToList();
    }
}
