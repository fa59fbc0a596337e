using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace ImagePs.Commands;

/// <summary>
/// Completes image ids. The word typed may be the start of an id or of a name: `-Id deb[Tab]` offers
/// the ids of the images named debian..., each listed with its name and status.
/// </summary>
public sealed class ImageIdCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = CompletionText.Unquote(wordToComplete);
        var includeHidden = CompletionCatalog.IncludesHidden(fakeBoundParameters);
        return Offer(CompletionCatalog.ImagesNamedLike(word, includeHidden).Concat(CompletionCatalog.Images(null, includeHidden)), word);
    }

    /// <summary>The ids among <paramref name="candidates"/> whose id or name starts with <paramref name="word"/>, each once, listed with name and status.</summary>
    internal static List<CompletionResult> Offer(IEnumerable<Image> candidates, string word) =>
        candidates
            .Where(image => image.Id.ToString().StartsWith(word, StringComparison.OrdinalIgnoreCase)
                || (image.Name?.StartsWith(word, StringComparison.OrdinalIgnoreCase) ?? false))
            .GroupBy(image => image.Id).Select(group => group.First())
            .Take(CompletionCatalog.MaxResults)
            .Select(image => new CompletionResult(
                image.Id.ToString(),
                string.Format(Messages.CompletionImageListItem, image.Id, image.Name ?? Messages.UnnamedImage, image.Status),
                CompletionResultType.ParameterValue,
                Describe(image)))
            .ToList();

    internal static string Describe(Image image) =>
        string.Format(Messages.CompletionImageToolTip, image.Name ?? Messages.UnnamedImage, image.Status,
            image.DiskFormat ?? "-", image.Size is null ? Messages.CompletionNoData : SizeText.Of(image.Size), image.Id);
}
