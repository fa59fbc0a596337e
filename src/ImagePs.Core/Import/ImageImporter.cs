using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using ImagePs.Catalog;
using ImagePs.Domain;
using ImagePs.Errors;
using ImagePs.Formats;
using ImagePs.Layers;
using ImagePs.Store;

namespace ImagePs.Import;

/// <summary>
/// Import-Image for one input (Glance's image import: web-download with the image_decompression and
/// image_conversion plugins): the record is created (or a Queued one retried), then the data streams
/// source → source hash → decompression → the upload (size cap, MD5 + SHA-512, inspection) in one
/// pass; only a conversion writes a temporary copy, inside the repository. A failure leaves the image
/// Queued with the source and the error recorded (or removes it), never with data.
/// </summary>
internal sealed class ImageImporter
{
    /// <summary>A checksum file larger than this is not a checksum file.</summary>
    public const long ChecksumFileMaxBytes = 16L << 20;

    /// <summary>How much of the data the disk format is detected from when none is declared.</summary>
    private const int HeadBytes = 1 << 20;

    private readonly ImageService _service;
    private readonly IOperationObserver _observer;

    public ImageImporter(ImageService service, IOperationObserver observer)
    {
        _service = service;
        _observer = observer;
    }

    public Image Import(ImportRequest request, CancellationToken cancellationToken)
    {
        if (request.RetryId is Guid retry) return Retry(retry, request, cancellationToken);
        // Nothing is created for a source that cannot be taken at all.
        if (request.Path is not null) SourceFile.Check(request.Path);
        if (request.Uri is not null) new ImportFilter(_service.Backend.Settings.Import).Check(request.Uri);
        if (request.ConvertTo is not null) CheckConversionTarget(request);
        var expected = ExpectedSourceHash(request, cancellationToken);
        if (request.SkipExisting && FindExisting(request, expected, cancellationToken) is { } existing) return existing;
        if (request.SkipExisting && FindFailed(request) is { } failed)
        {
            _observer.Verbose(string.Format(Messages.ImportRetryingFailed, request.Description, failed));
            return Fill(failed.Id, request, expected, cancellationToken);
        }

        var image = CreateRecord(request, expected);
        return Fill(image.Id, request, expected, cancellationToken);
    }

    private Image Retry(Guid id, ImportRequest request, CancellationToken cancellationToken)
    {
        var image = _service.GetImage(id);
        if (image.Status == ImageStatus.Active)
        {
            _observer.Verbose(string.Format(Messages.ImportAlreadyActive, image));
            return image;
        }
        return Fill(id, request, request.SourceHash, cancellationToken);
    }

    private static void CheckConversionTarget(ImportRequest request)
    {
        var target = ImageFormats.CanonicalDiskFormat(request.ConvertTo!);
        var declared = request.Draft.DiskFormat is null ? null : ImageFormats.CanonicalDiskFormat(request.Draft.DiskFormat);
        if (declared is not null && declared != target) throw ImageErrors.ImportFormatConflict(request.Draft.DiskFormat!, request.ConvertTo!);
        ImageConverter.QemuDriver(target ?? request.ConvertTo!); // an unknown target is refused before anything is created
    }

    // --- before anything is created -----------------------------------------------------------------

    /// <summary>The source hash declared (-SourceHash) or listed in the checksum file, or null.</summary>
    private SourceHash? ExpectedSourceHash(ImportRequest request, CancellationToken cancellationToken)
    {
        if (request.SourceHash is not null) return request.SourceHash;
        string text, listing;
        if (request.ChecksumUri is { } uri)
        {
            listing = UriText.Safe(uri);
            text = HttpDownload.ReadText(uri, request.Credential, _service.Backend.Settings.Import, ChecksumFileMaxBytes, cancellationToken);
        }
        else if (request.ChecksumPath is { } path)
        {
            listing = path;
            text = ReadChecksumFile(path);
        }
        else
        {
            return null;
        }
        var entry = ChecksumFile.Find(text, listing, request.FileName);
        return new SourceHash(entry.Algorithm, entry.Hex);
    }

    private static string ReadChecksumFile(string path)
    {
        using var file = SourceFile.Open(path, out var length);
        if (length > ChecksumFileMaxBytes) throw ImageErrors.ImportTextTooLarge(path, ChecksumFileMaxBytes);
        using var reader = new StreamReader(new LimitingStream(file, ChecksumFileMaxBytes, () => ImageErrors.ImportTextTooLarge(path, ChecksumFileMaxBytes)));
        try
        {
            return reader.ReadToEnd();
        }
        catch (IOException e)
        {
            throw SourceFile.Classify(e, path);
        }
    }

    /// <summary>
    /// -SkipExisting: an Active image the caller owns whose stored-disk hashes or recorded source hash
    /// match, or null. A local file whose hashes are not known is read once to know them; a URL is
    /// only looked up when its hash is known before the download (else it is downloaded).
    /// </summary>
    private Image? FindExisting(ImportRequest request, SourceHash? expected, CancellationToken cancellationToken)
    {
        var found = FindByHashes(request.Checksum, request.OsHashValue, expected is null ? Array.Empty<string>() : new[] { expected.Recorded });
        if (found is null && request.Path is not null && request.Checksum is null && request.OsHashValue is null && expected is null)
        {
            var (sha256, sha512) = HashFile(request.Path, cancellationToken);
            found = FindByHashes(null, sha512, new[] { new SourceHash(HashAlgorithmName.SHA256, sha256).Recorded, new SourceHash(HashAlgorithmName.SHA512, sha512).Recorded });
        }
        if (found is not null) _observer.Verbose(string.Format(Messages.ImportAlreadyPresent, request.Description, found));
        return found;
    }

    /// <summary>-SkipExisting: a Queued image the caller owns that an earlier import of the same source left behind (it is retried, not made again).</summary>
    private Image? FindFailed(ImportRequest request)
    {
        var query = Owned(q => q.Properties = new Dictionary<string, string>(StringComparer.Ordinal) { [SystemProperties.ImportSource] = request.Description });
        query.Statuses = new[] { ImageStatus.Queued };
        return _service.FindImages(query).FirstOrDefault();
    }

    private Image? FindByHashes(string? md5, string? sha512, IReadOnlyList<string> sourceHashes)
    {
        IEnumerable<ImageQuery> queries()
        {
            if (sha512 is not null) yield return Owned(q => q.OsHashValues = new[] { sha512.ToLowerInvariant() });
            if (md5 is not null) yield return Owned(q => q.Checksums = new[] { md5.ToLowerInvariant() });
            foreach (var recorded in sourceHashes)
                yield return Owned(q => q.Properties = new Dictionary<string, string>(StringComparer.Ordinal) { [SystemProperties.SourceHash] = recorded });
        }
        return queries().Select(q => _service.FindImages(q).FirstOrDefault()).FirstOrDefault(i => i is not null);
    }

    private ImageQuery Owned(Action<ImageQuery> filter)
    {
        var query = new ImageQuery
        {
            Statuses = new[] { ImageStatus.Active },
            Owners = new[] { _service.Caller.Project },
            Hidden = null,
            SortBy = ImageSortKey.CreatedAt,
            Descending = true,
            First = 1,
        };
        filter(query);
        return query;
    }

    /// <summary>SHA-256 and SHA-512 of a file in one read, hashed in parallel by the upload's own copier (no destination).</summary>
    private static (string Sha256, string Sha512) HashFile(string path, CancellationToken cancellationToken)
    {
        using var file = SourceFile.Open(path, out _, cancellationToken);
        var hashed = SinglePassCopier.Copy(Guid.Empty, file, null, null, path, new[] { HashAlgorithmName.SHA256 }, null, cancellationToken);
        return (SinglePassCopier.Hex(hashed.Digests[HashAlgorithmName.SHA256.Name!]), SinglePassCopier.Hex(hashed.Digests[HashAlgorithmName.SHA512.Name!]));
    }

    private Image CreateRecord(ImportRequest request, SourceHash? expected)
    {
        var draft = request.Draft;
        draft.Name ??= ImportNames.ImageNameFor(request.FileName);
        draft.ContainerFormat ??= "bare";
        if (request.ConvertTo is not null) draft.DiskFormat ??= ImageFormats.CanonicalDiskFormat(request.ConvertTo) ?? request.ConvertTo;
        return _service.CreateImage(draft, image =>
        {
            image.SetSystemProperty(SystemProperties.ImportSource, request.Description);
            if (expected is not null) image.SetSystemProperty(SystemProperties.SourceHash, expected.Recorded);
            if (request.ConvertTo is not null) image.SetSystemProperty(SystemProperties.ImportConvertTo, draft.DiskFormat!);
        });
    }

    // --- the data ---------------------------------------------------------------------------------

    private Image Fill(Guid id, ImportRequest request, SourceHash? expected, CancellationToken cancellationToken)
    {
        try
        {
            var image = request.ConvertTo is null ? StreamIn(id, request, expected, cancellationToken) : ConvertIn(id, request, expected, cancellationToken);
            _observer.Verbose(string.Format(Messages.ImportDone, request.Description, image));
            return image;
        }
        catch (AlreadyImported duplicate)
        {
            // -SkipExisting on a source whose hash was only known once it was read: the data is
            // deleted again (the upload's own cleanup) and so is the record just made for it.
            if (request.RetryId is null) _service.RemoveImage(id);
            _observer.Verbose(string.Format(Messages.ImportAlreadyPresent, request.Description, duplicate.Existing));
            return duplicate.Existing;
        }
        catch (ImagePsException e)
        {
            AfterFailure(id, request, $"{e.ErrorId}: {e.Message}");
            throw;
        }
        catch (OperationCanceledException)
        {
            AfterFailure(id, request, Messages.ImportStopped);
            throw;
        }
    }

    /// <summary>Network or file → source hash → decompression → the upload, in one pass.</summary>
    private Image StreamIn(Guid id, ImportRequest request, SourceHash? expected, CancellationToken cancellationToken)
    {
        using var source = OpenSource(request, cancellationToken);
        using var fetched = new HashingReadStream(source.Data, expected?.Algorithm ?? HashAlgorithmName.SHA256, leaveOpen: true);
        using var data = OpenData(fetched, request, id, cancellationToken);
        // Stored as fetched and no hash to check: the source hash is the image's own SHA-512.
        if (!data.Decompressed && expected is null) fetched.StopHashing();
        // Without a disk format the head of the data tells it (the stored copy's inspection has the last word).
        Stream body = data.Stream;
        string? detected = null;
        if (_service.GetImage(id).DiskFormat is null)
        {
            var head = new HeadStream(body, HeadBytes);
            detected = DiskFormatRules.DiskFormatFor(ImageInspector.Inspect(head.Head()).Format, request.FileName);
            body = head;
        }
        var upload = new ImageDataSource(body, data.Decompressed ? null : source.Length, request.Description)
        {
            ExpectedChecksum = request.Checksum,
            ExpectedOsHashValue = request.OsHashValue,
            ProgressPosition = () => fetched.BytesRead,
            ProgressTotal = source.Length,
            DetectedDiskFormat = detected,
            DiskFormatDetected = detected is not null,
            AfterData = uploaded =>
            {
                FinishSource(uploaded, fetched, expected, request);
                if (request.SkipExisting && expected is null) RefuseDuplicate(uploaded);
            },
        };
        return _service.UploadData(id, upload, cancellationToken);
    }

    /// <summary>
    /// -ConvertTo: the (decompressed) source is written once into a temporary file inside the
    /// repository (also so that the bytes converted are the bytes checked), inspected and converted by
    /// qemu-img (<see cref="ImageConverter"/>), and the converted file is uploaded.
    /// </summary>
    private Image ConvertIn(Guid id, ImportRequest request, SourceHash? expected, CancellationToken cancellationToken)
    {
        var backend = _service.Backend;
        var cap = backend.Settings.ImageSizeCap;
        var temporary = ImportTemporaryFiles.For(backend.Folder);
        temporary.SweepStale();
        var target = _service.GetImage(id).DiskFormat ?? request.ConvertTo!;

        using var copy = temporary.Create(".source");
        string? recordedSourceHash;
        using (var source = OpenSource(request, cancellationToken))
        using (var fetched = new HashingReadStream(source.Data, expected?.Algorithm ?? HashAlgorithmName.SHA256, leaveOpen: true))
        {
            using (var data = OpenData(fetched, request, id, cancellationToken))
            using (var output = copy.OpenWrite())
            {
                var meter = new ProgressMeter(_observer, id, string.Format(Messages.ActivityFetching, request.Description), copy.Path, source.Length);
                try
                {
                    CopyCapped(new LimitingStream(data.Stream, cap, () => ImageErrors.SizeCapExceeded(id, cap)), output, () => meter.Report(fetched.BytesRead), cancellationToken);
                }
                catch (IOException e)
                {
                    throw ImageErrors.ImportTemporaryWriteFailed(copy.Path, e);
                }
                finally
                {
                    meter.Complete();
                }
            }
            recordedSourceHash = CheckSourceHash(fetched, expected, request);
        }

        string detected;
        using (var written = copy.OpenRead()) detected = DiskFormatRules.DiskFormatFor(ImageInspector.Inspect(written).Format, copy.Path);
        if (detected == target)
        {
            _observer.Verbose(string.Format(Messages.ImportNoConversion, request.Description, target));
            return UploadFile(id, copy.OpenRead(), request, image => image.SetSystemProperty(SystemProperties.SourceHash, recordedSourceHash), cancellationToken);
        }
        _observer.Verbose(string.Format(Messages.ImportConverting, request.Description, detected, target));
        using var converted = new ImageConverter(backend.Settings, backend.Probe, _observer).Convert(copy.Path, target, temporary, cancellationToken);
        copy.Dispose(); // the original is no longer needed: free its space before the upload
        return UploadFile(id, converted.OpenRead(), request, image =>
        {
            image.SetSystemProperty(SystemProperties.SourceHash, recordedSourceHash);
            image.SetSystemProperty(SystemProperties.ConvertedFrom, converted.RecordedFrom);
        }, cancellationToken);
    }

    /// <summary>Uploads a temporary file (opened by its owner, never through a link planted in import-temp).</summary>
    private Image UploadFile(Guid id, FileStream opened, ImportRequest request, Action<Image> record, CancellationToken cancellationToken)
    {
        using var file = opened;
        var upload = new ImageDataSource(file, file.Length, request.Description)
        {
            ExpectedChecksum = request.Checksum,
            ExpectedOsHashValue = request.OsHashValue,
            AfterData = image =>
            {
                record(image);
                image.RemoveProperty(SystemProperties.ImportError);
            },
        };
        return _service.UploadData(id, upload, cancellationToken);
    }

    private static void CopyCapped(Stream from, Stream to, Action progress, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 20];
        int read;
        while ((read = from.Read(buffer, 0, buffer.Length)) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            to.Write(buffer, 0, read);
            progress();
        }
        to.Flush();
    }

    private sealed record OpenedSource(Stream Data, long? Length, IDisposable Owner) : IDisposable
    {
        public void Dispose() => Owner.Dispose();
    }

    private OpenedSource OpenSource(ImportRequest request, CancellationToken cancellationToken)
    {
        if (request.Path is { } path)
        {
            var file = SourceFile.Open(path, out var length, cancellationToken);
            return new OpenedSource(file, length, file);
        }
        var download = HttpDownload.Open(request.Uri!, request.Credential, _service.Backend.Settings.Import, cancellationToken, _observer.Verbose);
        return new OpenedSource(download.Body, download.Length, download);
    }

    private sealed record OpenedData(Stream Stream, bool Decompressed, IDisposable? Owner) : IDisposable
    {
        public void Dispose() => Owner?.Dispose();
    }

    /// <summary>The disk's bytes: the fetched bytes decompressed, unless the image is declared <c>compressed</c> (then stored as they are, as Glance does).</summary>
    private OpenedData OpenData(Stream fetched, ImportRequest request, Guid id, CancellationToken cancellationToken)
    {
        if (string.Equals(request.Draft.ContainerFormat ?? _service.GetImage(id).ContainerFormat, "compressed", StringComparison.OrdinalIgnoreCase))
            return new OpenedData(fetched, false, null);
        var decompressed = Decompression.Open(fetched, request.Description, _service.Backend.Settings, cancellationToken);
        if (decompressed.Format is null) return new OpenedData(decompressed, false, decompressed);
        _observer.Verbose(string.Format(Messages.ImportDecompressing, request.Description, decompressed.Format, decompressed.Decoder));
        return new OpenedData(decompressed, true, decompressed);
    }

    /// <summary>Stops an upload whose data an Active image of the caller already has (found by its SHA-512 or source hash).</summary>
    private void RefuseDuplicate(Image uploaded)
    {
        uploaded.Properties.TryGetValue(SystemProperties.SourceHash, out var sourceHash);
        var existing = FindByHashes(null, uploaded.OsHashValue, sourceHash is null ? Array.Empty<string>() : new[] { sourceHash });
        if (existing is not null && existing.Id != uploaded.Id) throw new AlreadyImported(existing);
    }

    /// <summary>Not an error: the upload is undone because its data is in the catalog already.</summary>
    private sealed class AlreadyImported : Exception
    {
        public AlreadyImported(Image existing) : base(string.Format(Messages.ImportDuplicateUndone, existing)) => Existing = existing;

        public Image Existing { get; }
    }

    /// <summary>The upload's last step before its data is accepted: the source hash checked and recorded, any earlier import error forgotten.</summary>
    private static void FinishSource(Image uploaded, HashingReadStream fetched, SourceHash? expected, ImportRequest request)
    {
        uploaded.SetSystemProperty(SystemProperties.SourceHash, CheckSourceHash(fetched, expected, request, uploaded));
        uploaded.RemoveProperty(SystemProperties.ImportError);
    }

    /// <summary>
    /// Reads what the decoder left of the fetched bytes (a zip's directory, a gzip's trailing bytes)
    /// so that the hash covers all of them, then compares it with the expected one. Returns it as recorded.
    /// </summary>
    private static string CheckSourceHash(HashingReadStream fetched, SourceHash? expected, ImportRequest request, Image? uploaded = null)
    {
        fetched.CopyTo(System.IO.Stream.Null);
        if (!fetched.Hashing) return new SourceHash(HashAlgorithmName.SHA512, uploaded!.OsHashValue!).Recorded;
        var actual = new SourceHash(expected?.Algorithm ?? HashAlgorithmName.SHA256, fetched.HexDigest());
        if (expected is not null && !string.Equals(expected.Hex, actual.Hex, StringComparison.OrdinalIgnoreCase))
            throw ImageErrors.SourceHashMismatch(request.Description, expected.Recorded, actual.Recorded);
        return actual.Recorded;
    }

    /// <summary>
    /// A failed import: the image is removed (-RemoveOnFailure) or keeps the error for the next try;
    /// the upload already put it back to Queued without data. A failure here is only a warning.
    /// </summary>
    private void AfterFailure(Guid id, ImportRequest request, string error)
    {
        try
        {
            if (request.RemoveOnFailure)
            {
                _service.RemoveImage(id);
                _observer.Verbose(string.Format(Messages.ImportRemovedAfterFailure, id));
                return;
            }
            var recorded = error.Length <= 1024 ? error : error.Substring(0, 1021) + "...";
            var image = _service.GetImage(id);
            if (image.Status != ImageStatus.Queued) return;
            image.SetSystemProperty(SystemProperties.ImportError, recorded);
            _service.SaveChange(image, current =>
            {
                if (current.Status != ImageStatus.Queued) return false;
                current.SetSystemProperty(SystemProperties.ImportError, recorded);
                return true;
            });
        }
        catch (ImagePsException e)
        {
            _observer.Warning(string.Format(Messages.ImportFailureNotRecorded, id, e.Message));
        }
    }
}
