using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Globalization;
using System.Linq;

namespace ImagePs.Catalog;

/// <summary>
/// Turns an <see cref="ImageQuery"/> into SQL conditions for a dialect, plus the exact in-memory
/// check of name patterns the database can only pre-filter (<c>?</c> and <c>[...]</c>). Names and
/// tags are compared folded (<see cref="WildcardPattern.Fold(string)"/>), so matching is
/// case-insensitive the same way in every catalog; the database's own wildcards (<c>%</c>,
/// <c>_</c>, <c>*</c>) in a name are always literal.
/// </summary>
internal sealed class ImageQueryFilter
{
    private readonly List<string> _conditions;
    private readonly List<(string Name, object Value)> _parameters = new();
    private readonly List<WildcardPattern> _exactNames = new();
    private readonly bool _checkNames;

    public ImageQueryFilter(ImageQuery query, SqlDialect dialect)
    {
        _conditions = new List<string> { "deleted = " + Literal(dialect.Flag(false)) };
        if (query.Ids is { Count: > 0 } ids) AddIn("id", ids.Distinct().Select(dialect.Id));
        if (query.Statuses is { Count: > 0 } statuses) AddIn("status", statuses.Select(GlanceNames.Of).Distinct(StringComparer.Ordinal));
        if (query.Visibilities is { Count: > 0 } visibilities) AddIn("visibility", visibilities.Select(GlanceNames.Of).Distinct(StringComparer.Ordinal));
        if (query.DiskFormats is { Count: > 0 } formats)
            AddIn("disk_format", formats.Select(f => ImageFormats.CanonicalDiskFormat(f) ?? f).Distinct(StringComparer.Ordinal));
        if (query.Owners is { Count: > 0 } owners) AddIn("owner", owners.Distinct(StringComparer.Ordinal));
        if (query.Names is { Count: > 0 } names)
        {
            var patterns = names.Select(WildcardPattern.Parse).ToList();
            var matches = patterns.Select(p => dialect.NameMatches("name_folded", Parameter(dialect.NamePrefilter(p))));
            _conditions.Add("(" + string.Join(" OR ", matches) + ")");
            _checkNames = patterns.Any(p => p.NeedsExactCheck);
            _exactNames = patterns;
        }
        if (query.Tags is { Count: > 0 } tags)
        {
            foreach (var tag in tags.Distinct(StringComparer.OrdinalIgnoreCase))
            {
                var p = Parameter(WildcardPattern.Fold(tag));
                _conditions.Add($"id IN (SELECT t.image_id FROM image_tags t WHERE t.value_folded = {p})");
            }
        }
        if (query.Properties is { Count: > 0 } properties)
        {
            foreach (var property in properties)
            {
                var name = Parameter(property.Key);
                var value = Parameter(property.Value);
                _conditions.Add($"id IN (SELECT p.image_id FROM image_properties p WHERE p.name = {name} AND p.value = {value})");
            }
        }
    }

    public string Where => "WHERE " + string.Join(" AND ", _conditions);

    public void Bind(DbCommand command)
    {
        foreach (var (name, value) in _parameters) SqlImageRepository.AddParameter(command, name, value);
    }

    /// <summary>The database pre-filters <c>?</c> and <c>[..]</c> as any sequence; this decides them exactly.</summary>
    public bool Matches(Image image) => !_checkNames || _exactNames.Any(p => p.IsMatch(image.Name));

    private void AddIn(string column, IEnumerable<object> values)
    {
        var names = values.Select(Parameter).ToList();
        _conditions.Add($"{column} IN ({string.Join(", ", names)})");
    }

    private string Parameter(object value)
    {
        var name = "@f" + _parameters.Count.ToString(CultureInfo.InvariantCulture);
        _parameters.Add((name, value));
        return name;
    }

    /// <summary>The deleted flag as a literal (false/0), so the listing index's leading column is a constant.</summary>
    private static string Literal(object flag) => flag is bool b ? (b ? "TRUE" : "FALSE") : Convert.ToString(flag, CultureInfo.InvariantCulture)!;
}
