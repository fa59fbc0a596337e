using System;
using System.Collections.Generic;

namespace ImagePs.Catalog;

/// <summary>
/// Filters for listing images. Within one filter any value may match; across filters all must
/// match, except <see cref="Tags"/> where the image must carry every tag (as Glance's tag filter).
/// </summary>
internal sealed class ImageQuery
{
    public IReadOnlyList<Guid>? Ids { get; set; }

    /// <summary>PowerShell wildcard patterns, case-insensitive.</summary>
    public IReadOnlyList<string>? Names { get; set; }

    public IReadOnlyList<ImageStatus>? Statuses { get; set; }

    /// <summary>Exact tags, case-insensitive; an image must carry all of them.</summary>
    public IReadOnlyList<string>? Tags { get; set; }

    public IReadOnlyList<ImageVisibility>? Visibilities { get; set; }

    public IReadOnlyList<string>? DiskFormats { get; set; }

    /// <summary>Extra properties the image must have, each with exactly this value (as Glance's filters).</summary>
    public IReadOnlyDictionary<string, string>? Properties { get; set; }

    /// <summary>Owning projects, exact.</summary>
    public IReadOnlyList<string>? Owners { get; set; }

    /// <summary>
    /// Shared images of other projects are listed when the caller's membership has one of these
    /// statuses; default Accepted, as Glance's member_status. Does not filter the caller's own images.
    /// </summary>
    public IReadOnlyList<ImageMemberStatus>? MemberStatuses { get; set; }

    public IReadOnlyList<string>? ContainerFormats { get; set; }

    public bool? Protected { get; set; }

    /// <summary>
    /// Glance's os_hidden filter: false keeps hidden images out (what Get-Image and completion ask for
    /// unless -IncludeHidden), true lists only them, null (the catalog's default) lists both, so that
    /// the engine's own listings (recovery, quotas, usage) never miss a hidden image.
    /// </summary>
    public bool? Hidden { get; set; }

    /// <summary>Size bounds in bytes, inclusive; an image without data has no size and matches no bound.</summary>
    public long? MinSize { get; set; }

    public long? MaxSize { get; set; }

    public long? MinVirtualSize { get; set; }

    public long? MaxVirtualSize { get; set; }

    /// <summary>Created at or after this time (a time of unspecified kind is local time).</summary>
    public DateTime? CreatedAfter { get; set; }

    /// <summary>Created before this time.</summary>
    public DateTime? CreatedBefore { get; set; }

    public DateTime? UpdatedAfter { get; set; }

    public DateTime? UpdatedBefore { get; set; }

    /// <summary>MD5 checksums (hex), exact.</summary>
    public IReadOnlyList<string>? Checksums { get; set; }

    /// <summary>os_hash_value (SHA-512 hex), exact.</summary>
    public IReadOnlyList<string>? OsHashValues { get; set; }

    /// <summary>The listing order; default oldest first (created_at, then id). Ties always by created_at, then id.</summary>
    public ImageSortKey SortBy { get; set; } = ImageSortKey.CreatedAt;

    /// <summary>Reverses the whole order (the key and the ties).</summary>
    public bool Descending { get; set; }

    /// <summary>Images of the ordered listing to pass over first.</summary>
    public long Skip { get; set; }

    /// <summary>At most this many images; null for all.</summary>
    public long? First { get; set; }

    /// <summary>
    /// Who is listing: the catalog keeps to the images that caller may see (set by the
    /// authorization layer, so that paging and counts are the caller's own); null lists every image.
    /// </summary>
    internal ImageViewer? Viewer { get; set; }

    /// <summary>A copy to change (the caller's query is never modified).</summary>
    public ImageQuery Clone() => (ImageQuery)MemberwiseClone();

    public static ImageQuery All { get; } = new();
}


/// <summary>The caller a listing is for: its project, whether it is an admin, which memberships show shared images.</summary>
internal sealed record ImageViewer(string? Project, bool IsAdmin, IReadOnlyList<ImageMemberStatus> MemberStatuses);
