using System.IO;
using System.Threading;

namespace ImagePs;

/// <summary>
/// The upload step (Glance's image.set_data): puts data behind an image and records what the store
/// reports. Layers decorate it in the gateway, like the factory and the repository.
/// </summary>
public interface IImageDataWriter
{
    void SetData(Image image, ImageDataSource source, CancellationToken cancellationToken);

    /// <summary>Deletes the data behind the image's locations and forgets them (a failed upload's cleanup).</summary>
    void DeleteData(Image image);
}

/// <summary>The bytes to upload, with the size the caller declares (null when unknown).</summary>
public sealed class ImageDataSource
{
    public ImageDataSource(Stream data, long? size, string description)
    {
        Data = data;
        Size = size;
        Description = description;
    }

    public Stream Data { get; }
    public long? Size { get; }

    /// <summary>Where the data comes from, for messages (usually the source file's path).</summary>
    public string Description { get; }
}
