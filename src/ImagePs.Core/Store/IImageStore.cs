using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Threading;

namespace ImagePs.Store;

/// <summary>
/// Where image data lives (glance_store's driver interface). The filesystem store is the embedded
/// default; another backend is another class behind this interface.
/// </summary>
internal interface IImageStore
{
    /// <summary>
    /// Streams <paramref name="data"/> into the store in one pass, computing MD5, SHA-512 and any extra
    /// hash asked for. Refuses an image that already has data, fails as soon as more bytes arrive than
    /// declared, and leaves nothing behind on any failure.
    /// </summary>
    StoredData Add(Guid imageId, Stream data, StoreAddOptions options, CancellationToken cancellationToken);

    Stream OpenRead(string location);

    /// <summary>Deletes the data at <paramref name="location"/>; data already gone is not an error.</summary>
    void Delete(string location);

    /// <summary>
    /// Deletes whatever an interrupted upload into this image left behind (partial writes, and data
    /// never committed to the catalog). Only called while the image's upload lease is held.
    /// </summary>
    void DeleteLeftovers(Guid imageId);

    /// <summary>
    /// The committed data in the store, each with the image id it belongs to: only what this store
    /// itself names (files named by an image id in its folder, objects keyed by an image id in its
    /// bucket), never partial writes or anything else. For the orphan sweep of Clear-DeletedImage.
    /// </summary>
    IEnumerable<(Guid ImageId, string Location)> ListData();

    /// <summary>A local file path for the data, when the store keeps one (tools like qemu-img need it).</summary>
    string? GetLocalPath(string location);
}

/// <summary>What an <see cref="IImageStore.Add"/> call declares and asks for.</summary>
internal sealed class StoreAddOptions
{
    public long? ExpectedSize { get; set; }

    /// <summary>Hashes to compute besides MD5 and SHA-512 (e.g. for a signature).</summary>
    public IReadOnlyList<HashAlgorithmName> ExtraHashes { get; set; } = Array.Empty<HashAlgorithmName>();

    public Action<long>? Progress { get; set; }
}
