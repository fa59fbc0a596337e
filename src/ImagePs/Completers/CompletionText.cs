using System.Linq;

namespace ImagePs.Commands;

/// <summary>How completers read the word being completed and write a value back on the command line.</summary>
internal static class CompletionText
{
    private const string NeedsQuotes = " \t`$'\"(){}[];,|&<>@#\u2018\u2019\u201a\u201b";

    /// <summary>The word typed so far, without an opening (or closing) quote.</summary>
    public static string Unquote(string? word)
    {
        var text = word ?? "";
        if (text.Length > 0 && (text[0] == '\'' || text[0] == '"')) text = text.Substring(1);
        if (text.Length > 0 && (text[text.Length - 1] == '\'' || text[text.Length - 1] == '"')) text = text.Substring(0, text.Length - 1);
        return text;
    }

    /// <summary>A value as it must be typed: single-quoted when PowerShell would otherwise split or expand it.</summary>
    public static string Quote(string value)
    {
        if (value.Length > 0 && value[0] != '-' && !value.Any(c => NeedsQuotes.IndexOf(c) >= 0)) return value;
        return "'" + value.Replace("'", "''").Replace("\u2018", "\u2018\u2018").Replace("\u2019", "\u2019\u2019") + "'";
    }

    /// <summary>A literal value for a parameter that takes wildcards: * ? [ ] and ` escaped with a backtick.</summary>
    public static string EscapeWildcards(string value)
    {
        var builder = new System.Text.StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '`') builder.Append('`');
            builder.Append(c);
        }
        return builder.ToString();
    }
}
