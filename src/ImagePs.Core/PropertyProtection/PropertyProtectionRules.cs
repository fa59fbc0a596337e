using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using ImagePs.Domain;

namespace ImagePs.PropertyProtection;

/// <summary>
/// Glance's property protections (glance/common/property_utils.py, the <c>roles</c> format): an
/// ordered list of sections, each a regular expression over property names with a role list per
/// operation. The first section whose expression matches the name (anywhere in it, as Python's
/// re.search) decides; <c>@</c> allows everyone, <c>!</c> no one, an empty list no one. A name no
/// section matches is refused for every operation, so files usually end with a <c>[.*]</c> section.
/// Without a file nothing is protected.
/// </summary>
internal sealed class PropertyProtectionRules
{
    private readonly IReadOnlyList<PropertyProtectionSection> _sections;

    private PropertyProtectionRules(string? path, IReadOnlyList<PropertyProtectionSection> sections)
    {
        Path = path;
        _sections = sections;
    }

    /// <summary>No file: every property may be created, read, updated and deleted.</summary>
    public static PropertyProtectionRules None { get; } = new(null, Array.Empty<PropertyProtectionSection>());

    public string? Path { get; }

    /// <summary>False when no file is in force (or it has no sections): the layer does nothing.</summary>
    public bool Enabled => _sections.Count > 0;

    public IReadOnlyList<PropertyProtectionSection> Sections => _sections;

    public static PropertyProtectionRules Load(string path) => new(path, PropertyProtectionFileReader.Read(path));

    public static PropertyProtectionRules Parse(string text, string path) => new(path, PropertyProtectionFileReader.Parse(text, path));

    public bool Allows(string property, PropertyOperation operation, IReadOnlyList<string> roles) =>
        Allows(property, operation, roles, out _);

    /// <param name="reason">Why a refusal is not the sections' plain verdict (an expression that timed out); else null.</param>
    public bool Allows(string property, PropertyOperation operation, IReadOnlyList<string> roles, out string? reason)
    {
        reason = null;
        if (!Enabled) return true;
        // ImagePs's own records: readable by all, written only by ImagePs (domain validation refuses callers).
        if (SystemProperties.IsSystem(property)) return true;
        PropertyProtectionSection? section = null;
        foreach (var candidate in _sections)
        {
            var match = candidate.Match(property);
            if (match == SectionMatch.TimedOut)
            {
                // Fail closed: a section that cannot decide must not hand the decision to a later one.
                reason = string.Format(Messages.PropertyProtectionTimedOut, candidate.Expression, candidate.Line, property);
                return false;
            }
            if (match == SectionMatch.Yes)
            {
                section = candidate;
                break;
            }
        }
        if (section is null) return false;
        var allowed = section.Roles(operation);
        if (allowed.Count == 0 || allowed.Contains("!")) return false;
        if (allowed.Contains("@")) return true;
        return roles.Any(r => allowed.Contains(r, StringComparer.OrdinalIgnoreCase));
    }
}

/// <summary>One <c>[regex]</c> section with its four role lists.</summary>
internal sealed class PropertyProtectionSection
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    private readonly Regex _pattern;
    private readonly IReadOnlyDictionary<PropertyOperation, IReadOnlyList<string>> _roles;

    public PropertyProtectionSection(string expression, Regex pattern, IReadOnlyDictionary<PropertyOperation, IReadOnlyList<string>> roles, int line)
    {
        Expression = expression;
        _pattern = pattern;
        _roles = roles;
        Line = line;
    }

    public string Expression { get; }
    public int Line { get; }

    public static Regex Compile(string expression) =>
        new(expression, RegexOptions.CultureInvariant, MatchTimeout);

    public SectionMatch Match(string property)
    {
        try
        {
            return _pattern.IsMatch(property) ? SectionMatch.Yes : SectionMatch.No;
        }
        catch (RegexMatchTimeoutException)
        {
            return SectionMatch.TimedOut;
        }
    }

    public IReadOnlyList<string> Roles(PropertyOperation operation) => _roles[operation];
}

/// <summary>Whether a section's expression matched a property name, or could not tell in time.</summary>
internal enum SectionMatch
{
    No,
    Yes,
    TimedOut,
}
