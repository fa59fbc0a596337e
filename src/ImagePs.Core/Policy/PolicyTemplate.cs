using System.Collections.Generic;
using System.Text;

namespace ImagePs.Policy;

/// <summary>
/// The right-hand side of a check: text with <c>%(field)s</c> placeholders filled from the target
/// (Python's %-formatting as oslo.policy uses it; <c>%%</c> is a literal percent sign). A field the
/// target does not have makes the check false, as in oslo.policy.
/// </summary>
internal sealed class PolicyTemplate
{
    private readonly IReadOnlyList<(string Text, bool IsField)> _parts;
    private readonly string _source;

    private PolicyTemplate(string source, IReadOnlyList<(string Text, bool IsField)> parts)
    {
        _source = source;
        _parts = parts;
    }

    /// <summary>Parses <paramref name="text"/>; <paramref name="offset"/> is its position in the rule, for errors.</summary>
    public static PolicyTemplate Parse(string text, int offset)
    {
        var parts = new List<(string, bool)>();
        var literal = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c != '%')
            {
                literal.Append(c);
                i++;
                continue;
            }
            if (i + 1 < text.Length && text[i + 1] == '%')
            {
                literal.Append('%');
                i += 2;
                continue;
            }
            var close = i + 1 < text.Length && text[i + 1] == '(' ? text.IndexOf(")s", i + 2, System.StringComparison.Ordinal) : -1;
            if (close < 0 || close == i + 2)
                throw new PolicyRuleException(string.Format(Messages.PolicyBadPlaceholder, text), offset + i);
            if (literal.Length > 0)
            {
                parts.Add((literal.ToString(), false));
                literal.Clear();
            }
            parts.Add((text.Substring(i + 2, close - i - 2), true));
            i = close + 2;
        }
        if (literal.Length > 0) parts.Add((literal.ToString(), false));
        return new PolicyTemplate(text, parts);
    }

    /// <summary>The text with the target's fields put in, or null when the target lacks one of them.</summary>
    public string? Render(PolicyTarget target)
    {
        if (_parts.Count == 1 && !_parts[0].IsField) return _parts[0].Text;
        var result = new StringBuilder();
        foreach (var (text, isField) in _parts)
        {
            if (!isField)
            {
                result.Append(text);
                continue;
            }
            var value = target[text];
            if (value is null) return null;
            result.Append(value);
        }
        return result.ToString();
    }

    public override string ToString() => _source;
}
