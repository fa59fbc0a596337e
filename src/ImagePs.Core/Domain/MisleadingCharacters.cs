using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace ImagePs.Domain;

/// <summary>
/// Characters that make a name, tag or key show as something it is not on an admin's console: control
/// characters, bidi controls that reorder text (<c>invoice\u202Egpj.exe</c> shows as
/// <c>invoiceexe.jpg</c>), invisible ones that make two different names look the same, and lone
/// surrogates (not text at all: UTF-8 storage would turn them into U+FFFD, so the value would change).
/// ZWNJ and ZWJ (U+200C, U+200D) are kept: Persian words and emoji sequences need them.
/// </summary>
internal static class MisleadingCharacters
{
    /// <summary>The refused format characters, with their Unicode names.</summary>
    private static readonly Dictionary<char, string> Invisible = new()
    {
        ['\u061C'] = "ARABIC LETTER MARK",
        ['\u200B'] = "ZERO WIDTH SPACE",
        ['\u200E'] = "LEFT-TO-RIGHT MARK",
        ['\u200F'] = "RIGHT-TO-LEFT MARK",
        ['\u2028'] = "LINE SEPARATOR",
        ['\u2029'] = "PARAGRAPH SEPARATOR",
        ['\u202A'] = "LEFT-TO-RIGHT EMBEDDING",
        ['\u202B'] = "RIGHT-TO-LEFT EMBEDDING",
        ['\u202C'] = "POP DIRECTIONAL FORMATTING",
        ['\u202D'] = "LEFT-TO-RIGHT OVERRIDE",
        ['\u202E'] = "RIGHT-TO-LEFT OVERRIDE",
        ['\u2060'] = "WORD JOINER",
        ['\u2066'] = "LEFT-TO-RIGHT ISOLATE",
        ['\u2067'] = "RIGHT-TO-LEFT ISOLATE",
        ['\u2068'] = "FIRST STRONG ISOLATE",
        ['\u2069'] = "POP DIRECTIONAL ISOLATE",
        ['\uFEFF'] = "ZERO WIDTH NO-BREAK SPACE",
    };

    /// <summary>The code points refused besides control characters and lone surrogates.</summary>
    public static IReadOnlyCollection<char> InvisibleCharacters => Invisible.Keys;

    /// <summary>
    /// The reason <paramref name="value"/> is refused ("it contains U+202E RIGHT-TO-LEFT OVERRIDE at
    /// character 8"), or null when it holds none of these characters. Positions count characters
    /// (Unicode scalar values) from 1, as a reader counts them. <paramref name="freeText"/> (a property
    /// value) may hold tabs, line breaks and bidi marks, which right-to-left prose needs; only other
    /// control characters and lone surrogates are refused there.
    /// </summary>
    public static string? Find(string value, bool freeText)
    {
        var position = 0;
        for (var i = 0; i < value.Length; i++)
        {
            position++;
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
                continue;
            }
            var description = Describe(c, freeText);
            if (description is not null)
                return string.Format(CultureInfo.CurrentCulture, Messages.ReasonMisleadingCharacter, description, position);
        }
        return null;
    }

    /// <summary>
    /// <paramref name="value"/> fit to print: every refused character is written as its code point in
    /// angle brackets (&lt;U+202E&gt;), so a message never carries the raw control to the console.
    /// </summary>
    public static string Escape(string value)
    {
        StringBuilder? escaped = null;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var pair = char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]);
            if (!pair && Describe(c, freeText: false) is not null)
            {
                escaped ??= new StringBuilder(value, 0, i, value.Length + 16);
                escaped.Append("<U+").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture)).Append('>');
                continue;
            }
            escaped?.Append(c);
            if (pair)
            {
                i++;
                escaped?.Append(value[i]);
            }
        }
        return escaped?.ToString() ?? value;
    }

    private static string? Describe(char c, bool freeText)
    {
        var codePoint = "U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture);
        if (char.IsSurrogate(c)) return string.Format(CultureInfo.CurrentCulture, Messages.CharacterLoneSurrogate, codePoint);
        if (char.IsControl(c))
        {
            if (freeText && (c == '\t' || c == '\n' || c == '\r')) return null;
            return string.Format(CultureInfo.CurrentCulture, Messages.CharacterControl, codePoint);
        }
        return !freeText && Invisible.TryGetValue(c, out var name) ? codePoint + " " + name : null;
    }
}
