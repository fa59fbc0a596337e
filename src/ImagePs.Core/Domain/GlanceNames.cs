using System;
using System.Collections.Generic;
using System.Linq;

namespace ImagePs.Domain;

/// <summary>
/// Glance's spelling of statuses and visibilities (<c>pending_delete</c>, <c>shared</c>), used in the
/// catalog and in events so both read like Glance's own.
/// </summary>
internal static class GlanceNames
{
    private static readonly Dictionary<ImageStatus, string> StatusNames = new()
    {
        [ImageStatus.Queued] = "queued",
        [ImageStatus.Saving] = "saving",
        [ImageStatus.Active] = "active",
        [ImageStatus.Killed] = "killed",
        [ImageStatus.Deleted] = "deleted",
        [ImageStatus.PendingDelete] = "pending_delete",
        [ImageStatus.Deactivated] = "deactivated",
        [ImageStatus.Uploading] = "uploading",
        [ImageStatus.Importing] = "importing",
    };

    private static readonly Dictionary<string, ImageStatus> StatusByName =
        StatusNames.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    public static string Of(ImageStatus status) => StatusNames[status];

    public static string Of(ImageVisibility visibility) => visibility.ToString().ToLowerInvariant();

    public static string Of(ImageMemberStatus status) => status.ToString().ToLowerInvariant();

    public static ImageMemberStatus ParseMemberStatus(string value) =>
        (ImageMemberStatus)Enum.Parse(typeof(ImageMemberStatus), value, ignoreCase: true);

    public static ImageStatus ParseStatus(string value) =>
        StatusByName.TryGetValue(value, out var status)
            ? status
            : throw new FormatException($"Unknown image status '{value}'.");

    public static ImageVisibility ParseVisibility(string value) =>
        (ImageVisibility)Enum.Parse(typeof(ImageVisibility), value, ignoreCase: true);
}
