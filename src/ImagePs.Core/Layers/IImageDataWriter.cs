using System.IO;
using System.Threading;

namespace ImagePs.Layers;

/// <summary>
/// The upload step (Glance's image.set_data): puts data behind an image and records what the store
/// reports. Layers decorate it in the gateway, like the factory and the repository.
/// </summary>
internal interface IImageDataWriter
{
    /// <summary>Stores the data and records it on the image; returns what else the step found.</summary>
    UploadOutcome SetData(Image image, ImageDataSource source, CancellationToken cancellationToken);

    /// <summary>Deletes the data behind the image's locations and forgets them (a failed upload's cleanup).</summary>
    void DeleteData(Image image);
}

/// <summary>The bytes to upload and what the caller declares about them.</summary>
internal sealed class ImageDataSource
{
    public ImageDataSource(Stream data, long? size, string description)
    {
        Data = data;
        Size = size;
        Description = description;
    }

    public Stream Data { get; }

    /// <summary>The size the caller declares (a file's length, or -Size); null when unknown.</summary>
    public long? Size { get; }

    /// <summary>Where the data comes from, for messages (usually the source file's path).</summary>
    public string Description { get; }

    /// <summary>MD5 (hex) the data must have, when the caller declares one.</summary>
    public string? ExpectedChecksum { get; set; }

    /// <summary>SHA-512 (hex) the data must have, when the caller declares one.</summary>
    public string? ExpectedOsHashValue { get; set; }

    /// <summary>Told how many bytes have been stored so far (on the uploading thread).</summary>
    public System.Action<long>? Progress { get; set; }
}
