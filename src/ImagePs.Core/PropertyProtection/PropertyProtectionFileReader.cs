using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ImagePs.Errors;

namespace ImagePs.PropertyProtection;

/// <summary>
/// Reads a property protections file the way Glance's configparser does: <c>[section]</c> headers
/// (the text between the first '[' and the last ']' is the expression), <c>option = value</c> or
/// <c>option: value</c> lines, whole-line <c>#</c>/<c>;</c> comments, option names case-insensitive,
/// values of <c>[DEFAULT]</c> inherited by every section. Each section needs <c>create</c>,
/// <c>read</c>, <c>update</c> and <c>delete</c>: comma-separated roles, <c>@</c> or <c>!</c> (not
/// both). Anything else is refused with the line: a protections file is a security rule and must
/// not be half-read.
/// </summary>
internal static class PropertyProtectionFileReader
{
    private static readonly (string Name, PropertyOperation Operation)[] Operations =
    {
        ("create", PropertyOperation.Create),
        ("read", PropertyOperation.Read),
        ("update", PropertyOperation.Update),
        ("delete", PropertyOperation.Delete),
    };

    public static IReadOnlyList<PropertyProtectionSection> Read(string path)
    {
        var text = Settings.ConfigurationFile.ReadText(path, reason => ImageErrors.InvalidPropertyProtections(path, reason));
        return Parse(text, path);
    }

    public static IReadOnlyList<PropertyProtectionSection> Parse(string text, string path)
    {
        var sections = new List<RawSection>();
        var defaults = new RawSection("DEFAULT", 0);
        RawSection? current = null;
        var lines = text.Replace("\r\n", "\n").Split('\n');
        for (var index = 0; index < lines.Length; index++)
        {
            var number = index + 1;
            var line = lines[index];
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed[0] == '#' || trimmed[0] == ';') continue;
            if (char.IsWhiteSpace(line[0])) throw Error(path, number, Messages.ProtectionsIndented);

            if (line[0] == '[')
            {
                var close = trimmed.LastIndexOf(']');
                if (close < 2) throw Error(path, number, Messages.ProtectionsBadHeader);
                if (trimmed.Substring(close + 1).Trim().Length > 0) throw Error(path, number, Messages.ProtectionsBadHeader);
                var name = trimmed.Substring(1, close - 1);
                if (name == "DEFAULT")
                {
                    current = defaults;
                    continue;
                }
                if (sections.Any(s => s.Name == name)) throw Error(path, number, string.Format(Messages.ProtectionsDuplicateSection, name));
                current = new RawSection(name, number);
                sections.Add(current);
                continue;
            }

            if (current is null) throw Error(path, number, Messages.ProtectionsNoSection);
            var delimiter = line.IndexOfAny(new[] { '=', ':' });
            if (delimiter <= 0) throw Error(path, number, Messages.ProtectionsNotAnOption);
            var option = line.Substring(0, delimiter).Trim().ToLowerInvariant();
            var value = line.Substring(delimiter + 1).Trim();
            if (!Operations.Any(o => o.Name == option)) throw Error(path, number, string.Format(Messages.ProtectionsUnknownOption, option));
            if (current.Options.ContainsKey(option)) throw Error(path, number, string.Format(Messages.ProtectionsDuplicateOption, option, current.Name));
            current.Options[option] = (value, number);
        }

        return sections.Select(s => Build(s, defaults, path)).ToList();
    }

    private static PropertyProtectionSection Build(RawSection section, RawSection defaults, string path)
    {
        System.Text.RegularExpressions.Regex pattern;
        try
        {
            pattern = PropertyProtectionSection.Compile(section.Name);
        }
        catch (ArgumentException e)
        {
            throw Error(path, section.Line, string.Format(Messages.ProtectionsBadExpression, section.Name, e.Message));
        }

        var roles = new Dictionary<PropertyOperation, IReadOnlyList<string>>();
        foreach (var (name, operation) in Operations)
        {
            if (!section.Options.TryGetValue(name, out var entry) && !defaults.Options.TryGetValue(name, out entry))
                throw Error(path, section.Line, string.Format(Messages.ProtectionsMissingOperation, section.Name, name));
            var list = entry.Value.Split(',').Select(r => r.Trim()).Where(r => r.Length > 0).ToList();
            if (list.Contains("@") && list.Contains("!"))
                throw Error(path, entry.Line, string.Format(Messages.ProtectionsAllAndNone, section.Name, name));
            roles[operation] = list;
        }
        return new PropertyProtectionSection(section.Name, pattern, roles, section.Line);
    }

    private static ImagePsException Error(string path, int line, string reason) =>
        ImageErrors.InvalidPropertyProtections(path, string.Format(Messages.ProtectionsLine, line, reason));

    private sealed class RawSection
    {
        public RawSection(string name, int line)
        {
            Name = name;
            Line = line;
        }

        public string Name { get; }
        public int Line { get; }
        public Dictionary<string, (string Value, int Line)> Options { get; } = new(StringComparer.Ordinal);
    }
}
