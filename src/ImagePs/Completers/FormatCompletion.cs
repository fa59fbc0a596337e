using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace ImagePs.Commands;

/// <summary>Completion over a fixed list of format names, in the list's order.</summary>
internal static class FormatCompletion
{
    public static IEnumerable<CompletionResult> Complete(IEnumerable<string> formats, string? wordToComplete)
    {
        var word = CompletionText.Unquote(wordToComplete);
        return formats
            .Where(format => format.StartsWith(word, StringComparison.OrdinalIgnoreCase))
            .Select(format => new CompletionResult(format, format, CompletionResultType.ParameterValue, format))
            .ToList();
    }
}
