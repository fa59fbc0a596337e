using System;
using System.Collections.Generic;
using System.Text;
using ImagePs.Errors;

namespace ImagePs.Catalog;

/// <summary>
/// PowerShell's wildcard language (<c>*</c>, <c>?</c>, <c>[abc]</c>, <c>[a-z]</c>, backtick escape),
/// case-insensitive, matched without regular expressions or recursion (linear-time backtracking),
/// so a hostile pattern cannot stall a query. <see cref="ToGlobPrefilter"/> gives SQLite a pattern
/// that matches at least everything this one matches, so the catalog can use its name index.
/// </summary>
internal sealed class WildcardPattern
{
    private enum Kind { Literal, AnyChar, AnySequence, Set }

    private readonly struct Token
    {
        public Token(Kind kind, char literal = '\0', List<(char Low, char High)>? ranges = null)
        {
            Kind = kind;
            Literal = literal;
            Ranges = ranges;
        }

        public Kind Kind { get; }
        public char Literal { get; }
        public List<(char Low, char High)>? Ranges { get; }
    }

    private readonly List<Token> _tokens;

    private WildcardPattern(string pattern, List<Token> tokens)
    {
        Pattern = pattern;
        _tokens = tokens;
    }

    public string Pattern { get; }

    /// <summary>True when the pattern uses <c>?</c> or <c>[...]</c>, which GLOB alone cannot decide exactly.</summary>
    public bool NeedsExactCheck => _tokens.Exists(t => t.Kind is Kind.AnyChar or Kind.Set);

    /// <summary>The folded text when the pattern has no wildcards (an equality the catalog can index); otherwise null.</summary>
    public string? FoldedLiteral =>
        _tokens.TrueForAll(t => t.Kind == Kind.Literal) ? Fold(new string(_tokens.ConvertAll(t => t.Literal).ToArray())) : null;

    public static bool ContainsWildcard(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '`') { i++; continue; }
            if (c is '*' or '?' or '[') return true;
        }
        return false;
    }

    /// <summary>Parses a pattern; an unclosed <c>[</c> is an <c>InvalidWildcardPattern</c> error.</summary>
    public static WildcardPattern Parse(string pattern)
    {
        var tokens = new List<Token>();
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '`' when i + 1 < pattern.Length:
                    tokens.Add(new Token(Kind.Literal, Fold(pattern[++i])));
                    break;
                case '*':
                    if (tokens.Count == 0 || tokens[tokens.Count - 1].Kind != Kind.AnySequence)
                        tokens.Add(new Token(Kind.AnySequence));
                    break;
                case '?':
                    tokens.Add(new Token(Kind.AnyChar));
                    break;
                case '[':
                    i = ParseSet(pattern, i, tokens);
                    break;
                default:
                    tokens.Add(new Token(Kind.Literal, Fold(c)));
                    break;
            }
        }
        return new WildcardPattern(pattern, tokens);
    }

    private static int ParseSet(string pattern, int open, List<Token> tokens)
    {
        var ranges = new List<(char, char)>();
        var i = open + 1;
        while (i < pattern.Length && pattern[i] != ']')
        {
            var low = pattern[i];
            if (low == '`' && i + 1 < pattern.Length) low = pattern[++i];
            if (i + 2 < pattern.Length && pattern[i + 1] == '-' && pattern[i + 2] != ']')
            {
                var high = pattern[i + 2];
                ranges.Add((low, high));
                i += 3;
            }
            else
            {
                ranges.Add((low, low));
                i++;
            }
        }
        if (i >= pattern.Length || ranges.Count == 0) throw ImageErrors.InvalidWildcardPattern(pattern);
        tokens.Add(new Token(Kind.Set, ranges: ranges));
        return i;
    }

    public bool IsMatch(string? value)
    {
        if (value is null) return false;
        int p = 0, s = 0, starP = -1, starS = 0;
        while (s < value.Length)
        {
            if (p < _tokens.Count && _tokens[p].Kind == Kind.AnySequence)
            {
                starP = p++;
                starS = s;
            }
            else if (p < _tokens.Count && Matches(_tokens[p], value[s]))
            {
                p++;
                s++;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                s = ++starS;
            }
            else
            {
                return false;
            }
        }
        while (p < _tokens.Count && _tokens[p].Kind == Kind.AnySequence) p++;
        return p == _tokens.Count;
    }

    private static bool Matches(Token token, char c)
    {
        switch (token.Kind)
        {
            case Kind.Literal:
                return token.Literal == Fold(c);
            case Kind.AnyChar:
                return true;
            case Kind.Set:
                var folded = Fold(c);
                foreach (var (low, high) in token.Ranges!)
                {
                    if (InRange(c, low, high) || InRange(folded, low, high)
                        || InRange(char.ToLowerInvariant(c), low, high)) return true;
                }
                return false;
            default:
                return false;
        }
    }

    private static bool InRange(char c, char low, char high) => c >= low && c <= high;

    /// <summary>
    /// A SQLite GLOB over the folded name that matches a superset of this pattern: literals stay
    /// (escaped), everything else becomes <c>*</c>. When <see cref="NeedsExactCheck"/> is false the
    /// GLOB is already exact.
    /// </summary>
    public string ToGlobPrefilter()
    {
        var sb = new StringBuilder();
        foreach (var token in _tokens)
        {
            if (token.Kind == Kind.Literal)
            {
                var c = token.Literal;
                if (c is '*' or '?' or '[' or ']') sb.Append('[').Append(c).Append(']');
                else sb.Append(c);
            }
            else if (sb.Length == 0 || sb[sb.Length - 1] != '*')
            {
                // An escaped literal '*' ends in ']', so this only merges real wildcards.
                sb.Append('*');
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// The same superset as a SQL LIKE pattern (escape character backslash): literals stay, with
    /// <c>%</c>, <c>_</c> and <c>\</c> escaped, so they are never wildcards; everything else becomes <c>%</c>.
    /// </summary>
    public string ToLikePrefilter()
    {
        var sb = new StringBuilder();
        foreach (var token in _tokens)
        {
            if (token.Kind == Kind.Literal)
            {
                var c = token.Literal;
                if (c is '%' or '_' or '\\') sb.Append('\\');
                sb.Append(c);
            }
            else if (sb.Length == 0 || sb[sb.Length - 1] != '%' || EndsWithEscape(sb))
            {
                sb.Append('%');
            }
        }
        return sb.ToString();
    }

    /// <summary>True when the last character of the pattern so far is escaped (an odd run of backslashes before it).</summary>
    private static bool EndsWithEscape(StringBuilder sb)
    {
        var backslashes = 0;
        for (var i = sb.Length - 2; i >= 0 && sb[i] == '\\'; i--) backslashes++;
        return backslashes % 2 == 1;
    }

    /// <summary>The case folding used for names in the catalog and in patterns: per UTF-16 unit, invariant.</summary>
    public static char Fold(char c) => char.ToUpperInvariant(c);

    public static string Fold(string value)
    {
        var chars = value.ToCharArray();
        for (var i = 0; i < chars.Length; i++) chars[i] = Fold(chars[i]);
        return new string(chars);
    }

    public override string ToString() => Pattern;
}
