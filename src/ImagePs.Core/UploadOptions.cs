namespace ImagePs;

/// <summary>What a caller may declare about the data it uploads; the upload fails if the data disagrees.</summary>
internal sealed class UploadOptions
{
    /// <summary>Bytes the data must have (<c>ImageSizeMismatch</c> otherwise).</summary>
    public long? Size { get; set; }

    /// <summary>MD5, hex (<c>ChecksumMismatch</c> otherwise).</summary>
    public string? Checksum { get; set; }

    /// <summary>SHA-512, hex (<c>OsHashValueMismatch</c> otherwise).</summary>
    public string? OsHashValue { get; set; }

    public static UploadOptions None { get; } = new();
}
