namespace ImagePs;

/// <summary>
/// One owner's use of the repository and the limits that apply to it (Glance's /v2/info/usage):
/// images owned, uploads under way, bytes stored. A limit of null means unlimited.
/// </summary>
public sealed class ImageUsage
{
    public ImageUsage(string? owner, int imageCount, int uploadingCount, long storageUsed, int? imageCountLimit, long? storageLimit)
    {
        Owner = owner;
        ImageCount = imageCount;
        UploadingCount = uploadingCount;
        StorageUsed = storageUsed;
        ImageCountLimit = imageCountLimit;
        StorageLimit = storageLimit;
    }

    /// <summary>The owning project (null for images without an owner).</summary>
    public string? Owner { get; }

    /// <summary>Images the owner has, whatever their status (what ImageCountQuota counts).</summary>
    public int ImageCount { get; }

    /// <summary>Images whose data is being uploaded right now (status Saving, Uploading or Importing).</summary>
    public int UploadingCount { get; }

    /// <summary>Bytes of the owner's stored data: Active, Deactivated and PendingDelete images (what UserStorageQuota counts).</summary>
    public long StorageUsed { get; }

    /// <summary>ImageCountQuota, or null when there is none.</summary>
    public int? ImageCountLimit { get; }

    /// <summary>UserStorageQuota in bytes, or null when there is none.</summary>
    public long? StorageLimit { get; }
}
