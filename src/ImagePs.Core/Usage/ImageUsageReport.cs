using System;
using System.Collections.Generic;
using System.Linq;
using ImagePs.Settings;

namespace ImagePs.Usage;

/// <summary>
/// Sums images into one <see cref="ImageUsage"/> per owner, counted the way the quotas count them,
/// so the figures are what the next quota check will see.
/// </summary>
internal static class ImageUsageReport
{
    private static readonly ImageStatus[] s_uploading = { ImageStatus.Saving, ImageStatus.Uploading, ImageStatus.Importing };
    private static readonly ImageStatus[] s_stored = { ImageStatus.Active, ImageStatus.Deactivated, ImageStatus.PendingDelete };

    /// <summary>
    /// One row per owner in <paramref name="images"/>, ordered by owner; every owner in
    /// <paramref name="alwaysReported"/> gets a row even with no images.
    /// </summary>
    public static IReadOnlyList<ImageUsage> Summarize(IEnumerable<Image> images, RepositorySettings settings, IEnumerable<string>? alwaysReported = null)
    {
        int? countLimit = settings.ImageCountQuota > 0 ? settings.ImageCountQuota : null;
        long? storageLimit = settings.UserStorageQuota > 0 ? settings.UserStorageQuota : null;
        var byOwner = new Dictionary<string, (int Count, int Uploading, long Stored)>(StringComparer.Ordinal);
        const string noOwner = "\0";
        foreach (var image in images)
        {
            if (image.Status == ImageStatus.Deleted) continue;
            var key = image.Owner ?? noOwner;
            byOwner.TryGetValue(key, out var sum);
            if (image.Status != ImageStatus.PendingDelete) sum.Count++; // Glance's image-count quota leaves pending deletes out; their bytes still count
            if (s_uploading.Contains(image.Status)) sum.Uploading++;
            if (s_stored.Contains(image.Status)) sum.Stored += image.Size ?? 0;
            byOwner[key] = sum;
        }
        foreach (var owner in alwaysReported ?? Array.Empty<string>()) byOwner.TryAdd(owner, default);

        return byOwner
            .OrderBy(entry => entry.Key, StringComparer.Ordinal)
            .Select(entry => new ImageUsage(entry.Key == noOwner ? null : entry.Key,
                entry.Value.Count, entry.Value.Uploading, entry.Value.Stored, countLimit, storageLimit))
            .ToList();
    }
}
