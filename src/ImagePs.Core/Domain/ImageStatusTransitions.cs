using System.Collections.Generic;

namespace ImagePs.Domain;

/// <summary>
/// The status state machine, exactly Glance's (glance/domain/__init__.py): any move not listed here
/// is refused with <c>InvalidStatusTransition</c>. One addition: a Deactivated image may go to
/// PendingDelete and back (delayed delete of a Deactivated image, and its restore), where Glance
/// refuses deleting a Deactivated image while delayed_delete is on.
/// </summary>
internal static class ImageStatusTransitions
{
    private static readonly Dictionary<ImageStatus, ImageStatus[]> Allowed = new()
    {
        [ImageStatus.Queued] = new[] { ImageStatus.Saving, ImageStatus.Uploading, ImageStatus.Importing, ImageStatus.Active, ImageStatus.Deleted },
        [ImageStatus.Saving] = new[] { ImageStatus.Active, ImageStatus.Killed, ImageStatus.Deleted, ImageStatus.Queued },
        [ImageStatus.Uploading] = new[] { ImageStatus.Importing, ImageStatus.Queued, ImageStatus.Deleted },
        [ImageStatus.Importing] = new[] { ImageStatus.Active, ImageStatus.Deleted, ImageStatus.Queued },
        [ImageStatus.Active] = new[] { ImageStatus.PendingDelete, ImageStatus.Deleted, ImageStatus.Deactivated },
        [ImageStatus.Killed] = new[] { ImageStatus.Deleted },
        [ImageStatus.PendingDelete] = new[] { ImageStatus.Deleted, ImageStatus.Active, ImageStatus.Deactivated },
        [ImageStatus.Deactivated] = new[] { ImageStatus.Active, ImageStatus.Deleted, ImageStatus.PendingDelete },
        [ImageStatus.Deleted] = new ImageStatus[0],
    };

    /// <summary>True when an image may move from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static bool IsAllowed(ImageStatus from, ImageStatus to) =>
        Allowed.TryGetValue(from, out var targets) && System.Array.IndexOf(targets, to) >= 0;
}
