using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using ImagePs.Errors;

namespace ImagePs.Import;

/// <summary>
/// Checksum files as vendors publish them beside their images: GNU style (<c>sha256sum</c>:
/// <c>&lt;hex&gt;  &lt;name&gt;</c>, <c>&lt;hex&gt; *&lt;name&gt;</c>, with its backslash escapes) and BSD
/// style (<c>sha256sum --tag</c>, <c>openssl dgst</c>: <c>SHA256 (&lt;name&gt;) = &lt;hex&gt;</c>), with
/// comments, blank lines and a PGP clear-signed wrapper around them (the signature is not checked
/// here). Lines of any other kind are passed over, so a file that also lists, say, SHA-1 still works.
/// </summary>
internal static class ChecksumFile
{
    private static readonly Regex Gnu = new(@"^(?<hex>[0-9A-Fa-f]+) (?<binary>[ *])(?<name>.+)$", RegexOptions.CultureInvariant);
    private static readonly Regex Bsd = new(@"^(?<algo>[A-Za-z0-9-]+) ?\((?<name>.+)\) ?= ?(?<hex>[0-9A-Fa-f]+)$", RegexOptions.CultureInvariant);

    /// <summary>Every MD5, SHA-256 and SHA-512 entry, in file order; none at all is ChecksumFileInvalid.</summary>
    public static IReadOnlyList<ChecksumEntry> Parse(string text, string source)
    {
        var entries = new List<ChecksumEntry>();
        foreach (var line in ContentLines(text ?? ""))
        {
            if (ParseLine(line) is { } entry) entries.Add(entry);
        }
        if (entries.Count == 0) throw ImageErrors.ChecksumFileInvalid(source);
        return entries;
    }

    /// <summary>
    /// The entry for <paramref name="fileName"/>: listed under exactly that name, else under a path
    /// (<c>./name</c>, <c>images/name</c>) whose last segment is that name.
    /// </summary>
    public static ChecksumEntry Find(string text, string source, string fileName)
    {
        var entries = Parse(text, source);
        var found = entries.FirstOrDefault(e => string.Equals(e.FileName, fileName, StringComparison.Ordinal))
            ?? entries.FirstOrDefault(e => string.Equals(LastSegment(e.FileName), fileName, StringComparison.Ordinal));
        if (found is not null) return found;
        var listed = entries.Select(e => e.FileName).Distinct(StringComparer.Ordinal).ToList();
        var names = string.Join(", ", listed.Take(5).Select(n => "'" + ImageErrors.Shorten(n) + "'")) + (listed.Count > 5 ? ", ..." : "");
        throw ImageErrors.ChecksumNotListed(fileName, source, names);
    }

    private static string LastSegment(string name)
    {
        var cut = name.LastIndexOfAny(new[] { '/', '\\' });
        return cut < 0 ? name : name.Substring(cut + 1);
    }

    private static ChecksumEntry? ParseLine(string line)
    {
        // GNU tools escape a name holding a backslash or a newline and mark the line with a leading backslash.
        var escaped = line.StartsWith('\\');
        var body = escaped ? line.Substring(1) : line;

        var bsd = Bsd.Match(body);
        if (bsd.Success && HashNames.FromName(bsd.Groups["algo"].Value) is { } tagged
            && HashNames.IsHexOfLength(bsd.Groups["hex"].Value, HashNames.HexLength(tagged)))
            return new ChecksumEntry(Name(bsd.Groups["name"].Value, escaped), tagged, bsd.Groups["hex"].Value.ToLowerInvariant());

        var gnu = Gnu.Match(body);
        if (gnu.Success && HashNames.FromHexLength(gnu.Groups["hex"].Length) is { } implied)
            return new ChecksumEntry(Name(gnu.Groups["name"].Value, escaped), implied, gnu.Groups["hex"].Value.ToLowerInvariant());
        return null;
    }

    private static string Name(string name, bool escaped)
    {
        if (!escaped) return name;
        var text = new StringBuilder(name.Length);
        for (var i = 0; i < name.Length; i++)
        {
            if (name[i] == '\\' && i + 1 < name.Length)
            {
                var next = name[++i];
                text.Append(next switch { 'n' => '\n', 'r' => '\r', _ => next });
            }
            else
            {
                text.Append(name[i]);
            }
        }
        return text.ToString();
    }

    /// <summary>
    /// The lines that may hold entries: CR/LF line ends cut, comments and blank lines dropped, and of a
    /// PGP clear-signed message only the signed text (armor headers and the signature block dropped,
    /// dash-escaped lines restored).
    /// </summary>
    private static IEnumerable<string> ContentLines(string text)
    {
        var state = PgpState.Outside;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            switch (state)
            {
                case PgpState.Headers:
                    if (line.Trim().Length == 0) state = PgpState.Signed;
                    continue;
                case PgpState.Signature:
                    if (line.StartsWith("-----END PGP SIGNATURE-----", StringComparison.Ordinal)) state = PgpState.Outside;
                    continue;
            }
            if (line.StartsWith("-----BEGIN PGP SIGNED MESSAGE-----", StringComparison.Ordinal))
            {
                state = PgpState.Headers;
                continue;
            }
            if (line.StartsWith("-----BEGIN PGP SIGNATURE-----", StringComparison.Ordinal))
            {
                state = PgpState.Signature;
                continue;
            }
            if (state == PgpState.Signed && line.StartsWith("- ", StringComparison.Ordinal)) line = line.Substring(2);
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#')) continue;
            yield return line;
        }
    }

    private enum PgpState
    {
        Outside,
        Headers,
        Signed,
        Signature,
    }
}
