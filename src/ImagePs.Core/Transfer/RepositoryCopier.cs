using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using ImagePs.Catalog;
using ImagePs.Domain;
using ImagePs.Errors;
using ImagePs.Settings;
using ImagePs.Store;

namespace ImagePs.Transfer;

/// <summary>
/// Copies a repository's catalog and data into another repository (Copy-ImageRepository): typically
/// an embedded one (SQLite + files) into one whose imageps.json names a PostgreSQL catalog and an S3
/// store. Image by image, oldest first: the data first, through the destination store's single pass,
/// its size, MD5 and SHA-512 checked against the source catalog; then the record, exactly as it was
/// (ids, times, members, deleted images too, so their ids stay used), in one transaction. The source
/// is only read. An image the destination has already is left alone, so an interrupted copy is
/// simply run again; data an interrupted run left without its record is replaced.
/// </summary>
internal sealed class RepositoryCopier
{
    private readonly RepositoryBackend _source;
    private readonly RepositoryBackend _destination;
    private readonly CatalogRecords _sourceRecords;
    private readonly CatalogRecords _destinationRecords;
    private readonly IOperationObserver _observer;

    public RepositoryCopier(RepositoryBackend source, RepositoryBackend destination, IOperationObserver observer)
    {
        if (SameRepository(source, destination)) throw ImageErrors.InvalidCopyDestination(destination.Folder.Root, source.Folder.Root);
        _source = source;
        _destination = destination;
        _sourceRecords = new CatalogRecords((SqlImageRepository)source.Catalog);
        _destinationRecords = new CatalogRecords((SqlImageRepository)destination.Catalog);
        _observer = observer;
    }

    /// <summary>Every record of the source, oldest first, deleted ones included.</summary>
    public IEnumerable<CatalogRecord> Records() => _sourceRecords.ReadAll();

    /// <summary>
    /// Copies one image (unless the destination has it already) and says what happened. Failures of
    /// this image are ImagePs errors: nothing of it is left in the destination.
    /// </summary>
    public ImageCopy Copy(CatalogRecord record, CancellationToken cancellationToken)
    {
        var image = record.Image;
        if (_destinationRecords.Find(image.Id) is { } existing) return AlreadyThere(record, existing);
        if (!record.Deleted && image.Status is ImageStatus.Saving or ImageStatus.Uploading or ImageStatus.Importing)
            return ImageCopy.Skipped(image, string.Format(Messages.CopySkippedUploading, image, image.Status), DestinationName);

        using (_destination.Leases.TryAcquire(image.Id) ?? throw ImageErrors.UploadInProgress(image.Id))
        {
            var copy = CopyRecord(record);
            if (HasData(record))
            {
                var location = CopyData(image, cancellationToken);
                copy.Image.ReplaceLocations(new[] { new ImageLocation(location) });
                if (!_destinationRecords.Import(copy))
                {
                    _destination.Store.Delete(location);
                    return AlreadyThere(record, _destinationRecords.Find(image.Id)!);
                }
                return ImageCopy.Copied(copy.Image, location, DestinationName);
            }
            copy.Image.ReplaceLocations(Array.Empty<ImageLocation>()); // they point into the source's store
            return _destinationRecords.Import(copy)
                ? ImageCopy.Copied(copy.Image, null, DestinationName)
                : AlreadyThere(record, _destinationRecords.Find(image.Id)!);
        }
    }

    /// <summary>How the destination is named in messages and results: its folder, catalog and store.</summary>
    public string DestinationName => $"{_destination.Folder.Root} ({_destination.Catalog}, {_destination.Store})";

    private static bool HasData(CatalogRecord record) =>
        !record.Deleted && record.Image.Locations.Count > 0
        && record.Image.Status is ImageStatus.Active or ImageStatus.Deactivated or ImageStatus.PendingDelete;

    /// <summary>Streams the data into the destination store, verified against the source catalog; returns its location.</summary>
    private string CopyData(Image image, CancellationToken cancellationToken)
    {
        var source = image.Locations[0].Url;
        // Data a run that was interrupted stored without its record (the lease is held: nobody else writes it).
        _destination.Store.DeleteLeftovers(image.Id);

        Stream data;
        try
        {
            data = _source.Store.OpenRead(source);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw ImageErrors.ImageDataMissing(image, source);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw ImageErrors.StoreReadFailed(source, e);
        }

        var meter = new ProgressMeter(_observer, image.Id, string.Format(Messages.ActivityCopying, image), source, image.Size);
        StoredData stored;
        try
        {
            using (data)
            {
                stored = _destination.Store.Add(image.Id, data, new StoreAddOptions { ExpectedSize = image.Size, Progress = meter.Report }, cancellationToken);
            }
        }
        catch (ImagePsException e) when (e.ErrorId is "ImageSizeMismatch" or "SourceReadFailed")
        {
            throw ImageErrors.ImageDataCorrupted(image, e.Message);
        }
        finally
        {
            meter.Complete();
        }

        var mismatch = Mismatch(image, stored);
        if (mismatch is null) return stored.Location;
        _destination.Store.Delete(stored.Location);
        throw ImageErrors.ImageDataCorrupted(image, mismatch);
    }

    private static string? Mismatch(Image image, StoredData stored)
    {
        if (image.Checksum is { } md5 && !string.Equals(md5, stored.Md5, StringComparison.OrdinalIgnoreCase))
            return string.Format(Messages.CopyHashMismatch, "MD5", stored.Md5, md5);
        if (image.OsHashAlgo == stored.HashAlgo && image.OsHashValue is { } sha512 && !string.Equals(sha512, stored.HashValue, StringComparison.OrdinalIgnoreCase))
            return string.Format(Messages.CopyHashMismatch, "SHA-512", stored.HashValue, sha512);
        return null;
    }

    /// <summary>A copy of the record to change (locations) without touching the source's object.</summary>
    private static CatalogRecord CopyRecord(CatalogRecord record)
    {
        var image = record.Image;
        var copy = Image.Load(image.Id, image.Status, image.CreatedAt, image.UpdatedAt, image.Name, image.DiskFormat, image.ContainerFormat,
            image.Visibility, image.Protected, image.Size, image.VirtualSize, image.Checksum, image.OsHashAlgo, image.OsHashValue,
            image.MinDisk, image.MinRam, image.Owner, hidden: image.Hidden,
            statusBeforeDelete: image.StatusBeforeDelete, pendingDeleteAt: image.PendingDeleteAt);
        foreach (var tag in image.Tags) copy.LoadTag(tag);
        foreach (var property in image.Properties) copy.LoadProperty(property.Key, property.Value);
        foreach (var location in image.Locations) copy.LoadLocation(location);
        return new CatalogRecord(copy, record.Deleted, record.DeletedAt, record.Members);
    }

    /// <summary>
    /// The destination has the id: this image, copied before (created at the same time; it may have
    /// changed there since, and the destination's record is the one that counts), or another image.
    /// </summary>
    private ImageCopy AlreadyThere(CatalogRecord record, CatalogRecord existing)
    {
        var other = existing.Image;
        if (other.CreatedAt != CatalogTime.Truncate(record.Image.CreatedAt)) throw ImageErrors.ImageCopyConflict(record.Image, DestinationName);
        return ImageCopy.AlreadyCopied(other, other.Locations.FirstOrDefault()?.Url, DestinationName);
    }

    private static bool SameRepository(RepositoryBackend a, RepositoryBackend b) =>
        string.Equals(a.Folder.Root, b.Folder.Root, StringComparison.Ordinal)
        || (a.Catalog.ToString() == b.Catalog.ToString() && a.Store.ToString() == b.Store.ToString());
}
