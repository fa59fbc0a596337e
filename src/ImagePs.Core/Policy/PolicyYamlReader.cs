using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using ImagePs.Errors;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace ImagePs.Policy;

/// <summary>
/// Reads policy.yaml with YamlDotNet: one mapping of rule names to rule texts, each written in any
/// YAML scalar form (plain, 'single-' or "double-quoted", folded <c>&gt;</c> or literal <c>|</c>, a
/// plain or quoted rule continued on indented lines), with <c>#</c> comments and an optional
/// <c>---</c>. A file that is a JSON object is read as JSON. The file is walked as parser events,
/// never built into a node tree: a value that is itself a list or a mapping is refused where it
/// starts, so the walk is one level deep whatever the file's nesting; aliases are refused, never
/// expanded, so an alias bomb costs nothing; a tag is refused because <c>add_image: !</c> would
/// otherwise read as an empty rule (allow everyone) where the writer meant "!" (no one).
/// </summary>
internal static class PolicyYamlReader
{
    public static IReadOnlyList<PolicyFileEntry> Read(string path, string text)
    {
        if (text.TrimStart().StartsWith('{'))
            return PolicyFileReader.ReadJson(path, Encoding.UTF8.GetBytes(text));

        var events = new Events(path, new Parser(new StringReader(text)));
        try
        {
            return ReadStream(events);
        }
        catch (YamlException e)
        {
            throw events.Error(e.Start, string.Format(Messages.PolicyYamlSyntax, WithoutPosition(e.Message)));
        }
    }

    private static IReadOnlyList<PolicyFileEntry> ReadStream(Events events)
    {
        var entries = new List<PolicyFileEntry>();
        events.Expect<StreamStart>();
        var first = events.Next();
        if (first is StreamEnd) return entries;
        if (first is not DocumentStart) throw ImageErrors.InvalidPolicy(events.Path, Messages.PolicyNotAMapping);

        var root = events.Next();
        if (root is MappingStart mapping)
        {
            events.RefuseTagOrAlias(mapping);
            ReadRules(events, entries);
        }
        else if (!(root is Scalar scalar && IsNull(scalar)))
        {
            throw ImageErrors.InvalidPolicy(events.Path, Messages.PolicyNotAMapping);
        }

        events.Expect<DocumentEnd>();
        var after = events.Next();
        if (after is not StreamEnd) throw events.Error(after.Start, Messages.PolicyYamlSecondDocument);
        return entries;
    }

    private static void ReadRules(Events events, List<PolicyFileEntry> entries)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (events.Next() is not MappingEnd)
        {
            var key = events.Current;
            events.RefuseTagOrAlias(key);
            if (key is not Scalar nameScalar) throw events.Error(key.Start, Messages.PolicyYamlNameNotText);
            var name = nameScalar.Value;
            var line = Line(nameScalar.Start);
            if (name.Length == 0) throw events.Error(nameScalar.Start, Messages.PolicyYamlEmptyName);

            var value = events.Next();
            events.RefuseTagOrAlias(value);
            if (value is not Scalar rule)
                throw ImageErrors.InvalidPolicy(events.Path, string.Format(Messages.PolicyValueNotText, Line(value.Start), name));
            if (IsNull(rule)) throw events.Error(rule.Start, string.Format(Messages.PolicyYamlNoValue, name));

            if (!names.Add(name)) throw ImageErrors.InvalidPolicy(events.Path, string.Format(Messages.PolicyDuplicateRule, line, name));
            entries.Add(new PolicyFileEntry(name, rule.Value, line));
        }
    }

    /// <summary>A plain empty, <c>~</c> or <c>null</c> value: YAML's null, which is not a rule.</summary>
    private static bool IsNull(Scalar scalar) =>
        scalar.Style == ScalarStyle.Plain && scalar.Value is "" or "~" or "null" or "Null" or "NULL";

    private static int Line(Mark mark) => (int)Math.Min(mark.Line, int.MaxValue);

    /// <summary>YamlDotNet puts "(Line: 1, Col: 2, Idx: 1) - (Line: ...): " before its reason; the error names the line itself.</summary>
    private static string WithoutPosition(string message)
    {
        var separator = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith("(Line:", StringComparison.Ordinal) && separator >= 0 ? message[(separator + 3)..] : message;
    }

    /// <summary>The parser's events, one at a time, and the refusals that name the file and the line.</summary>
    private sealed class Events
    {
        private readonly IParser _parser;

        public Events(string path, IParser parser)
        {
            Path = path;
            _parser = parser;
        }

        public string Path { get; }

        public ParsingEvent Current => _parser.Current!;

        public ParsingEvent Next()
        {
            // The stream always ends with StreamEnd, so a walk that follows the grammar never runs past it.
            if (!_parser.MoveNext()) throw ImageErrors.InvalidPolicy(Path, Messages.PolicyNotAMapping);
            return Current;
        }

        public void Expect<T>() where T : ParsingEvent
        {
            if (Next() is not T) throw ImageErrors.InvalidPolicy(Path, Messages.PolicyNotAMapping);
        }

        public void RefuseTagOrAlias(ParsingEvent item)
        {
            if (item is AnchorAlias alias) throw Error(alias.Start, string.Format(Messages.PolicyYamlAlias, alias.Value));
            if (item is NodeEvent node && !node.Tag.IsEmpty) throw Error(node.Start, string.Format(Messages.PolicyYamlTag, node.Tag.Value));
        }

        public ImagePsException Error(Mark mark, string reason) =>
            ImageErrors.InvalidPolicy(Path, string.Format(Messages.PolicyYamlLine, Line(mark), reason));
    }
}
