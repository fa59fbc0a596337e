using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using ImagePs.Errors;

namespace ImagePs.Policy;

/// <summary>
/// Reads the YAML that policy files are written in: one flat mapping, a <c>name: rule</c> per line,
/// names and rules plain, 'single-quoted' or "double-quoted", <c>#</c> comments, an optional
/// <c>---</c>. That is every policy.yaml oslo.policy generates. Anything else YAML allows (nesting,
/// block scalars, anchors, a value spread over lines) is refused with the line number rather than
/// guessed at; a file that is a JSON object is read as JSON. Written here, not taken from a YAML
/// library, so the module loads no YAML assembly that could clash with another module's.
/// </summary>
internal static class PolicyYamlReader
{
    /// <summary>Characters YAML does not allow at the start of a plain (unquoted) value.</summary>
    private const string Indicators = "@`!&*|>%[]{},?'\"#";

    public static IReadOnlyList<PolicyFileEntry> Read(string path, string text)
    {
        if (text.TrimStart().StartsWith("{", StringComparison.Ordinal))
            return PolicyFileReader.ReadJson(path, Encoding.UTF8.GetBytes(text));

        var entries = new List<PolicyFileEntry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var lines = text.Replace("\r\n", "\n").Split('\n');
        for (var index = 0; index < lines.Length; index++)
        {
            var line = lines[index];
            var number = index + 1;
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed[0] == '#' || (trimmed == "---" && entries.Count == 0)) continue;
            if (trimmed == "...") break;
            if (char.IsWhiteSpace(line[0])) throw Error(path, number, Messages.PolicyYamlIndented);

            var position = 0;
            var name = ReadScalar(path, number, line, ref position, isKey: true);
            if (name.Length == 0) throw Error(path, number, Messages.PolicyYamlEmptyName);
            SkipSpaces(line, ref position);
            if (position >= line.Length || line[position] != ':') throw Error(path, number, Messages.PolicyYamlExpectedColon);
            position++;
            if (position < line.Length && !char.IsWhiteSpace(line[position])) throw Error(path, number, Messages.PolicyYamlExpectedColon);
            SkipSpaces(line, ref position);
            if (position >= line.Length || line[position] == '#') throw Error(path, number, string.Format(Messages.PolicyYamlNoValue, name));

            var value = ReadScalar(path, number, line, ref position, isKey: false);
            SkipSpaces(line, ref position);
            if (position < line.Length && line[position] != '#') throw Error(path, number, Messages.PolicyYamlTrailing);

            if (!names.Add(name)) throw ImageErrors.InvalidPolicy(path, string.Format(Messages.PolicyDuplicateRule, number, name));
            entries.Add(new PolicyFileEntry(name, value, number));
        }
        return entries;
    }

    private static string ReadScalar(string path, int number, string line, ref int position, bool isKey)
    {
        var c = line[position];
        if (c == '"') return ReadDoubleQuoted(path, number, line, ref position);
        if (c == '\'') return ReadSingleQuoted(path, number, line, ref position);
        if (Indicators.IndexOf(c) >= 0 || (c == '-' && (position + 1 >= line.Length || line[position + 1] == ' ')))
            throw Error(path, number, string.Format(Messages.PolicyYamlQuoteNeeded, c));

        // A plain scalar runs to ": " (after a key) or to " #" (a comment) or the end of the line.
        var start = position;
        while (position < line.Length)
        {
            var here = line[position];
            var next = position + 1 < line.Length ? line[position + 1] : ' ';
            if (here == ':' && char.IsWhiteSpace(next))
            {
                if (isKey) break;
                throw Error(path, number, Messages.PolicyYamlColonInValue);
            }
            if (here == '#' && position > start && char.IsWhiteSpace(line[position - 1])) break;
            position++;
        }
        var text = line.Substring(start, position - start).TrimEnd();
        return text;
    }

    private static string ReadSingleQuoted(string path, int number, string line, ref int position)
    {
        var result = new StringBuilder();
        position++;
        while (position < line.Length)
        {
            if (line[position] == '\'')
            {
                if (position + 1 < line.Length && line[position + 1] == '\'')
                {
                    result.Append('\'');
                    position += 2;
                    continue;
                }
                position++;
                return result.ToString();
            }
            result.Append(line[position++]);
        }
        throw Error(path, number, Messages.PolicyYamlUnclosedQuote);
    }

    private static string ReadDoubleQuoted(string path, int number, string line, ref int position)
    {
        var result = new StringBuilder();
        position++;
        while (position < line.Length)
        {
            var c = line[position++];
            if (c == '"') return result.ToString();
            if (c != '\\')
            {
                result.Append(c);
                continue;
            }
            if (position >= line.Length) break;
            var escape = line[position++];
            switch (escape)
            {
                case '"': result.Append('"'); break;
                case '\\': result.Append('\\'); break;
                case '/': result.Append('/'); break;
                case 't': result.Append('\t'); break;
                case 'n': result.Append('\n'); break;
                case 'u' when position + 4 <= line.Length
                              && int.TryParse(line.Substring(position, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code):
                    result.Append((char)code);
                    position += 4;
                    break;
                default:
                    throw Error(path, number, string.Format(Messages.PolicyYamlBadEscape, escape));
            }
        }
        throw Error(path, number, Messages.PolicyYamlUnclosedQuote);
    }

    private static void SkipSpaces(string line, ref int position)
    {
        while (position < line.Length && (line[position] == ' ' || line[position] == '\t')) position++;
    }

    private static ImagePsException Error(string path, int line, string reason) =>
        ImageErrors.InvalidPolicy(path, string.Format(Messages.PolicyYamlLine, line, reason));
}
