using System;
using System.IO;
using System.Threading;

namespace ImagePs;

/// <summary>
/// Where image data lives (glance_store's driver interface). The filesystem store is the embedded
/// default; another backend is another class behind this interface.
/// </summary>
public interface IImageStore
{
    /// <summary>
    /// Streams <paramref name="data"/> into the store in one pass, computing its MD5 and SHA-512.
    /// Refuses an image that already has data, fails as soon as more bytes arrive than
    /// <paramref name="expectedSize"/> declares, and leaves nothing behind on any failure.
    /// </summary>
    StoredData Add(Guid imageId, Stream data, long? expectedSize, CancellationToken cancellationToken);

    Stream OpenRead(string location);

    /// <summary>Deletes the data at <paramref name="location"/>; data already gone is not an error.</summary>
    void Delete(string location);

    /// <summary>A local file path for the data, when the store keeps one (tools like qemu-img need it).</summary>
    string? GetLocalPath(string location);
}
