using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ImagePs.Catalog;
using ImagePs.Settings;

namespace ImagePs.Commands;

/// <summary>
/// The catalog as completers see it: the repository of <c>$env:IMAGEPS_HOME</c> (or the per-user
/// one), read only if it already exists (completing never creates, migrates or recovers a
/// repository: <see cref="CompletionRepository"/>), and never an error: a completer that throws
/// would only break the user's Tab key.
/// </summary>
internal static class CompletionCatalog
{
    /// <summary>How many entries a completer offers at most.</summary>
    public const int MaxResults = 100;

    /// <summary>How many images a completer reads at most while looking for matches.</summary>
    private const int MaxScanned = 5000;

    /// <summary>Images whose name starts with <paramref name="prefix"/>, found through the name index.</summary>
    public static IReadOnlyList<Image> ImagesNamedLike(string prefix, bool includeHidden) =>
        Images(new ImageQuery { Names = new[] { CompletionText.EscapeWildcards(prefix) + "*" } }, includeHidden);

    /// <summary>
    /// Images as Get-Image lists them: hidden ones only when the command line already has
    /// -IncludeHidden (<see cref="IncludesHidden"/>).
    /// </summary>
    public static IReadOnlyList<Image> Images(ImageQuery? query, bool includeHidden)
    {
        query = (query ?? ImageQuery.All).Clone();
        query.Hidden = includeHidden ? null : false;
        try
        {
            var folder = RepositoryFolder.FromEnvironment();
            if (!File.Exists(folder.CatalogPath) && !File.Exists(folder.SettingsPath)) return Array.Empty<Image>();
            var service = ImageService.ForReading(CompletionRepository.For(folder));
            return service.FindImages(query).Take(MaxScanned).ToList();
        }
        catch (Exception)
        {
            return Array.Empty<Image>();
        }
    }

    /// <summary>True when the command being completed has -IncludeHidden (a switch not set to $false).</summary>
    public static bool IncludesHidden(IDictionary? fakeBoundParameters)
    {
        if (fakeBoundParameters is null || !fakeBoundParameters.Contains("IncludeHidden")) return false;
        return fakeBoundParameters["IncludeHidden"] switch
        {
            bool flag => flag,
            System.Management.Automation.SwitchParameter flag => flag.IsPresent,
            _ => true,
        };
    }
}
