namespace ImagePs;

/// <summary>What <c>Copy-ImageRepository</c> did with one image.</summary>
public enum ImageCopyResult
{
    /// <summary>Copied now: the record, and the data when it has some (verified).</summary>
    Copied,

    /// <summary>The destination had it already (an earlier run copied it): left as it is.</summary>
    AlreadyCopied,

    /// <summary>Not copied (an upload into it is under way, or -WhatIf): see Reason.</summary>
    Skipped,
}

/// <summary>One image of a repository copy: its id, name, status, size, what happened and where its data now is.</summary>
public sealed class ImageCopy
{
    private ImageCopy(Image image, ImageCopyResult result, string? location, string destination, string? reason)
    {
        ImageId = image.Id;
        Name = image.Name;
        Status = image.Status;
        Size = image.Size;
        Result = result;
        Location = location;
        Destination = destination;
        Reason = reason;
    }

    public System.Guid ImageId { get; }
    public string? Name { get; }
    public ImageStatus Status { get; }
    public long? Size { get; }
    public ImageCopyResult Result { get; }

    /// <summary>Where the data is in the destination's store (none for images without data).</summary>
    public string? Location { get; }

    /// <summary>The destination repository: its folder, catalog and store (never a secret).</summary>
    public string Destination { get; }

    public string? Reason { get; }

    public override string ToString() => $"{Name ?? ImageId.ToString()}: {Result}";

    internal static ImageCopy Copied(Image image, string? location, string destination) => new(image, ImageCopyResult.Copied, location, destination, null);

    internal static ImageCopy AlreadyCopied(Image image, string? location, string destination) =>
        new(image, ImageCopyResult.AlreadyCopied, location, destination, null);

    internal static ImageCopy Skipped(Image image, string reason, string destination) => new(image, ImageCopyResult.Skipped, null, destination, reason);
}
