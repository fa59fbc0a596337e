using System;
using System.Collections.Generic;

namespace ImagePs;

/// <summary>
/// Filters for listing images. Within one filter any value may match; across filters all must
/// match, except <see cref="Tags"/> where the image must carry every tag (as Glance's tag filter).
/// </summary>
public sealed class ImageQuery
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

    public static ImageQuery All { get; } = new();
}
