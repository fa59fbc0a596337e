using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Globalization;
using System.Linq;
using ImagePs.Domain;

namespace ImagePs.Catalog;

/// <summary>
/// Turns an <see cref="ImageQuery"/> into SQL conditions, an order and a page for a dialect, plus
/// the exact in-memory check of name and tag patterns the database can only pre-filter (<c>?</c>
/// and <c>[...]</c>). Names and tags are compared folded (<see cref="WildcardPattern.Fold(string)"/>),
/// so matching is case-insensitive the same way in every catalog; the database's own wildcards
/// (<c>%</c>, <c>_</c>, <c>*</c>) in a name are always literal. When an exact check is needed the
/// page cannot be cut by the database (<see cref="PagedByCatalog"/> is false): the caller cuts it.
/// </summary>
internal sealed class ImageQueryFilter
{
    private readonly List<string> _conditions;
    private readonly List<(string Name, object Value)> _parameters = new();
    private readonly List<WildcardPattern> _exactNames = new();
    private readonly List<WildcardPattern> _exactTags = new();
    private readonly bool _checkNames;
    private readonly SqlDialect _dialect;

    /// <param name="tagShare">
    /// For a catalog whose planner cannot estimate a tag pattern (SQLite keeps no histograms): how
    /// many images a tag prefilter matches, of how many, or null when unknown.
    /// </param>
    public ImageQueryFilter(ImageQuery query, SqlDialect dialect, Func<string, TagShare?>? tagShare = null)
    {
        _dialect = dialect;
        Query = query;
        _conditions = new List<string> { "deleted = " + Literal(dialect.Flag(false)) };
        AddStatusExclusions(query);
        if (query.Viewer is { } viewer) AddVisibleTo(viewer, query.Visibilities is { Count: > 0 });
        if (query.Ids is { Count: > 0 } ids) AddIn("id", ids.Distinct().Select(dialect.Id));
        if (query.Statuses is { Count: > 0 } statuses) AddIn("status", statuses.Select(GlanceNames.Of).Distinct(StringComparer.Ordinal));
        if (query.Visibilities is { Count: > 0 } visibilities) AddIn("visibility", visibilities.Select(GlanceNames.Of).Distinct(StringComparer.Ordinal));
        if (query.DiskFormats is { Count: > 0 } formats)
            AddIn("disk_format", formats.Select(f => ImageFormats.CanonicalDiskFormat(f) ?? f).Distinct(StringComparer.Ordinal));
        if (query.ContainerFormats is { Count: > 0 } containers)
            AddIn("container_format", containers.Select(c => c.ToLowerInvariant()).Distinct(StringComparer.Ordinal));
        if (query.Owners is { Count: > 0 } owners) AddIn("owner", owners.Distinct(StringComparer.Ordinal));
        if (query.Checksums is { Count: > 0 } checksums) AddIn("checksum", checksums.Select(c => c.ToLowerInvariant()).Distinct(StringComparer.Ordinal), selective: true);
        if (query.OsHashValues is { Count: > 0 } hashes) AddIn("os_hash_value", hashes.Select(h => h.ToLowerInvariant()).Distinct(StringComparer.Ordinal), selective: true);
        if (query.Protected is bool isProtected) _conditions.Add("protected = " + Literal(dialect.Flag(isProtected)));
        if (query.Hidden is bool isHidden) _conditions.Add("hidden = " + Literal(dialect.Flag(isHidden)));
        AddBound("size", ">=", query.MinSize);
        AddBound("size", "<=", query.MaxSize);
        AddBound("virtual_size", ">=", query.MinVirtualSize);
        AddBound("virtual_size", "<=", query.MaxVirtualSize);
        AddBound("created_at", ">=", Time(query.CreatedAfter));
        AddBound("created_at", "<", Time(query.CreatedBefore));
        AddBound("updated_at", ">=", Time(query.UpdatedAfter));
        AddBound("updated_at", "<", Time(query.UpdatedBefore));
        if (query.Names is { Count: > 0 } names)
        {
            var patterns = names.Select(WildcardPattern.Parse).ToList();
            _conditions.Add("(" + string.Join(" OR ", patterns.Select(p => Matches("name_folded", p, dialect.OrdinalText("name_folded")))) + ")");
            _checkNames = patterns.Any(p => p.NeedsExactCheck);
            _exactNames = patterns;
        }
        if (query.Tags is { Count: > 0 } tags)
        {
            foreach (var tag in tags.Distinct(StringComparer.OrdinalIgnoreCase))
            {
                var pattern = WildcardPattern.Parse(tag);
                var matches = Matches("t.value_folded", pattern, "t.value_folded");
                var share = pattern.FoldedLiteral is null ? tagShare?.Invoke(dialect.NamePrefilter(pattern)) : null;
                _conditions.Add(share is { } known
                    ? dialect.Likely(known.WalkListing(query)
                        ? $"EXISTS (SELECT 1 FROM image_tags t WHERE t.image_id = images.id AND {matches})"
                        : $"id IN (SELECT t.image_id FROM image_tags t WHERE {matches})", known.Share)
                    : $"id IN (SELECT t.image_id FROM image_tags t WHERE {matches})");
                if (pattern.NeedsExactCheck) _exactTags.Add(pattern);
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

    public ImageQuery Query { get; }

    public string Where => "WHERE " + string.Join(" AND ", _conditions);

    /// <summary>The listing order: the sort key, then created_at, then id, all reversed by Descending.</summary>
    public string OrderBy
    {
        get
        {
            var descending = Query.Descending;
            var terms = new List<string>();
            switch (Query.SortBy)
            {
                case ImageSortKey.Name: terms.Add(_dialect.OrderTerm(_dialect.OrdinalText("name_folded"), descending, nullable: true)); break;
                case ImageSortKey.Size: terms.Add(_dialect.OrderTerm("size", descending, nullable: true)); break;
                case ImageSortKey.VirtualSize: terms.Add(_dialect.OrderTerm("virtual_size", descending, nullable: true)); break;
                case ImageSortKey.UpdatedAt: terms.Add(_dialect.OrderTerm("updated_at", descending, nullable: false)); break;
                case ImageSortKey.Status: terms.Add(_dialect.OrderTerm(StatusRank, descending, nullable: false)); break;
            }
            terms.Add(_dialect.OrderTerm("created_at", descending, nullable: false));
            terms.Add(_dialect.OrderTerm("id", descending, nullable: false));
            return "ORDER BY " + string.Join(", ", terms);
        }
    }

    /// <summary>True when the database decides every condition, so LIMIT/OFFSET and COUNT are exact.</summary>
    public bool PagedByCatalog => !_checkNames && _exactTags.Count == 0;

    /// <summary>LIMIT and OFFSET for the query's page (when <see cref="PagedByCatalog"/>), else empty.</summary>
    public string Page => PagedByCatalog ? _dialect.LimitOffset(Query.First, Query.Skip) : "";

    public void Bind(DbCommand command)
    {
        foreach (var (name, value) in _parameters) SqlImageRepository.AddParameter(command, name, value);
    }

    /// <summary>The database pre-filters <c>?</c> and <c>[..]</c> as any sequence; this decides them exactly.</summary>
    public bool Matches(Image image) =>
        (!_checkNames || _exactNames.Any(p => p.IsMatch(image.Name))) &&
        _exactTags.TrueForAll(p => image.Tags.Any(p.IsMatch));

    /// <summary>
    /// The one place for statuses a listing leaves out unless asked for by -Status: PendingDelete
    /// (removed with a delayed delete, awaiting its scrub), as Glance lists only deleted=false rows.
    /// </summary>
    private void AddStatusExclusions(ImageQuery query)
    {
        if (query.Statuses is { Count: > 0 } statuses && statuses.Contains(ImageStatus.PendingDelete)) return;
        _conditions.Add("status <> 'pending_delete'");
    }

    /// <summary>
    /// Glance's listing visibility, in SQL so that pages and counts are the caller's: an admin sees
    /// all but others' community images (unless a visibility is asked for); others see their own,
    /// public, shared with them (by membership status) and, when asked, community images.
    /// </summary>
    private void AddVisibleTo(ImageViewer viewer, bool visibilityAsked)
    {
        var own = _dialect.NullSafeEquals("owner", Parameter(viewer.Project ?? (object)DBNull.Value));
        if (viewer.IsAdmin)
        {
            if (!visibilityAsked) _conditions.Add($"(visibility <> 'community' OR {own})");
            return;
        }
        var visible = new List<string> { own, "visibility = 'public'" };
        if (visibilityAsked) visible.Add("visibility = 'community'");
        if (viewer.MemberStatuses.Count > 0 && viewer.Project is not null)
        {
            var member = Parameter(viewer.Project);
            var statuses = string.Join(", ", viewer.MemberStatuses.Select(GlanceNames.Of).Distinct(StringComparer.Ordinal).Select(Parameter));
            visible.Add($"(visibility = 'shared' AND id IN (SELECT m.image_id FROM image_members m WHERE m.member = {member} AND m.status IN ({statuses})))");
        }
        _conditions.Add("(" + string.Join(" OR ", visible) + ")");
    }

    /// <summary>The status's position in <see cref="ImageStatus"/>, so Status sorts in the enum's order.</summary>
    private static string StatusRank =>
        "CASE status " + string.Concat(Enum.GetValues(typeof(ImageStatus)).Cast<ImageStatus>()
            .Select(s => $"WHEN '{GlanceNames.Of(s)}' THEN {(int)s} ")) + "END";

    /// <summary>A literal is an equality (on <paramref name="equalityColumn"/>, as its index is collated), a pattern the dialect's prefilter.</summary>
    private string Matches(string column, WildcardPattern pattern, string equalityColumn) =>
        pattern.FoldedLiteral is { } literal
            ? $"{equalityColumn} = {Parameter(literal)}"
            : _dialect.NameMatches(column, Parameter(_dialect.NamePrefilter(pattern)));

    private object? Time(DateTime? value) => value is DateTime time ? _dialect.Time(time.ToUniversalTime()) : null;

    private void AddBound(string column, string comparison, object? value)
    {
        if (value is not null) _conditions.Add($"{column} {comparison} {Parameter(value)}");
    }

    private void AddIn(string column, IEnumerable<object> values, bool selective = false)
    {
        var names = values.Select(Parameter).ToList();
        var condition = $"{column} IN ({string.Join(", ", names)})";
        _conditions.Add(selective ? _dialect.Selective(condition) : condition);
    }

    private string Parameter(object value)
    {
        var name = "@f" + _parameters.Count.ToString(CultureInfo.InvariantCulture);
        _parameters.Add((name, value));
        return name;
    }

    /// <summary>A flag as a literal (false/0), so an index's leading column is a constant.</summary>
    private static string Literal(object flag) => flag is bool b ? (b ? "TRUE" : "FALSE") : Convert.ToString(flag, CultureInfo.InvariantCulture)!;
}

/// <summary>How many of a catalog's images a tag pattern matches, as counted before a listing.</summary>
internal readonly record struct TagShare(long Matching, long Images)
{
    public double Share => Images == 0 ? 0 : (double)Matching / Images;

    /// <summary>
    /// True when a page is found sooner by walking the listing order, testing each image's tags (about
    /// page / share rows), than by reading every matching image and sorting them (share x images
    /// rows): a page of 100 at 100,000 images, from a share of about 3%. A whole listing never walks.
    /// </summary>
    public bool WalkListing(ImageQuery query) =>
        query.First is long first && Share * Share * Images > first + query.Skip;
}

