using System;
using System.Collections.Generic;

namespace ImagePs.Events;

/// <summary>Filters for reading the events log; all given filters must match.</summary>
internal sealed class ImageEventQuery
{
    public IReadOnlyList<Guid>? ImageIds { get; set; }

    /// <summary>PowerShell wildcard patterns over the event type, case-insensitive (<c>image.member.*</c>).</summary>
    public IReadOnlyList<string>? EventTypes { get; set; }

    /// <summary>Events at or after this time.</summary>
    public DateTime? Since { get; set; }

    /// <summary>Events at or before this time.</summary>
    public DateTime? Until { get; set; }

    /// <summary>Only the last N matching events.</summary>
    public int? Last { get; set; }
}
