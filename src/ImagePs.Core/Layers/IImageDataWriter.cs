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

    /// <summary>
    /// Where progress is measured when it is not the bytes stored (an import measures the bytes it
    /// fetched, before decompression): the position now and the total, null when unknown.
    /// </summary>
    public System.Func<long>? ProgressPosition { get; set; }

    public long? ProgressTotal { get; set; }

    /// <summary>
    /// Called once the data is stored, its declared hashes checked and recorded on the image (size,
    /// checksum, os_hash_value), before its content is inspected; throws to refuse it (the data is then deleted and the image goes back to Queued). System
    /// properties it sets on the image are kept with the upload (an import's source hash).
    /// </summary>
    public System.Action<Image>? AfterData { get; set; }

    /// <summary>
    /// The disk format to give an image that has none when its upload starts (an import that detected
    /// it from the head of the data).
    /// </summary>
    public string? DetectedDiskFormat { get; set; }

    /// <summary>
    /// True when the image's disk format was only detected from the head of the data, not declared:
    /// the inspection of the stored data then sets it (a fixed VHD is known only by its footer).
    /// </summary>
    public bool DiskFormatDetected { get; set; }
}
