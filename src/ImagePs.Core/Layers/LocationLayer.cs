using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Threading;
using ImagePs.Catalog;
using ImagePs.Domain;
using ImagePs.Errors;
using ImagePs.Formats;
using ImagePs.Settings;
using ImagePs.Signatures;
using ImagePs.Store;

namespace ImagePs.Layers;

/// <summary>
/// The location layer (Glance's glance/location.py), upload side: streams the data into the store
/// behind the size cap, checks what the caller declared (MD5, SHA-512) and the image's signature
/// against the digests of that same pass, records size, checksum, os_hash_* and the location, then
/// inspects what was stored (Formats/ContentVerifier: unsafe content or a disk format mismatch
/// throws) and takes the virtual size. Any failure after the store accepted the data deletes it
/// again. The stored copy is inspected rather than the source so that the bytes checked are exactly
/// the bytes kept (a source file can change between a check and the copy); only headers are read.
/// </summary>
internal sealed class LocationDataWriter : IImageDataWriter
{
    private readonly IImageStore _store;
    private readonly RepositorySettings _settings;
    private readonly SignatureCertificates _certificates;
    private readonly ContentVerifier _verifier;

    public LocationDataWriter(IImageStore store, IVirtualSizeProbe probe, RepositorySettings settings, SignatureCertificates certificates, IOperationObserver observer)
    {
        _store = store;
        _settings = settings;
        _certificates = certificates;
        _verifier = new ContentVerifier(settings, probe, observer);
    }

    public UploadOutcome SetData(Image image, ImageDataSource source, CancellationToken cancellationToken)
    {
        var cap = _settings.ImageSizeCap;
        if (source.Size > cap) throw ImageErrors.SizeCapExceeded(image.Id, cap);
        var capped = new LimitingStream(source.Data, cap, () => ImageErrors.SizeCapExceeded(image.Id, cap));

        // Everything the signature needs is checked before a byte moves.
        var signature = ImageSignature.FromProperties(image.Properties);
        var certificate = signature is null ? null : _certificates.Load(signature.CertificateId, DateTime.UtcNow);
        if (signature is not null) SignatureVerifier.CheckKey(signature, certificate!);

        var options = new StoreAddOptions
        {
            ExpectedSize = source.Size,
            ExtraHashes = signature is null ? Array.Empty<HashAlgorithmName>() : new[] { signature.HashMethod },
            Progress = source.Progress,
        };
        var stored = _store.Add(image.Id, capped, options, cancellationToken);
        try
        {
            CheckDeclaredHashes(image.Id, source, stored);
            if (signature is not null && !SignatureVerifier.Verify(signature, certificate!, stored.Digests[signature.HashMethod.Name!]))
                throw ImageErrors.SignatureVerificationFailed(image.Id, $"{signature.KeyType} signature over {signature.HashMethod.Name} with certificate {signature.CertificateId:D}");
            image.SetData(stored.Size, stored.Md5, stored.HashAlgo, stored.HashValue, new ImageLocation(stored.Location));
            source.AfterData?.Invoke(image);
            var verified = _verifier.VerifyUpload(image, () => _store.OpenRead(stored.Location), _store.GetLocalPath(stored.Location), cancellationToken, source.DiskFormatDetected);
            image.SetVirtualSize(verified.VirtualSize);
            if (verified.DisagreeingQemuSize is long qemuSize)
                image.SetSystemProperty(SystemProperties.QemuVirtualSize, qemuSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
            else
                image.RemoveProperty(SystemProperties.QemuVirtualSize);
            return new UploadOutcome(verified.Origin);
        }
        catch (Exception)
        {
            _store.Delete(stored.Location);
            image.ClearData();
            throw;
        }
        finally
        {
            certificate?.Dispose();
        }
    }

    public void DeleteData(Image image)
    {
        foreach (var location in image.Locations) _store.Delete(location.Url);
        image.ClearData();
    }

    private static void CheckDeclaredHashes(Guid id, ImageDataSource source, StoredData stored)
    {
        if (source.ExpectedChecksum is { } md5 && !string.Equals(md5, stored.Md5, StringComparison.OrdinalIgnoreCase))
            throw ImageErrors.ChecksumMismatch(id, md5, stored.Md5);
        if (source.ExpectedOsHashValue is { } sha512 && !string.Equals(sha512, stored.HashValue, StringComparison.OrdinalIgnoreCase))
            throw ImageErrors.OsHashValueMismatch(id, sha512, stored.HashValue);
    }
}

/// <summary>
/// The location layer, catalog side: removing an image also deletes its data (a delayed delete,
/// to PendingDelete, keeps it for Restore-Image until the scrub). The catalog is
/// updated first (the data queued for deletion in the same transaction), so a failure can leave an
/// orphan file (reported, and deleted by the scrub of a later changing command) but never an active
/// image without data.
/// </summary>
internal sealed class LocationImageRepository : ImageRepositoryProxy
{
    private readonly IImageStore _store;
    private readonly IDeleteQueue _deletes;
    private readonly IOperationObserver _observer;

    public LocationImageRepository(IImageRepository inner, IImageStore store, IDeleteQueue deletes, IOperationObserver observer) : base(inner)
    {
        _store = store;
        _deletes = deletes;
        _observer = observer;
    }

    public override void Remove(Image image)
    {
        Inner.Remove(image);
        if (image.Status == ImageStatus.PendingDelete) return; // delayed delete: the data stays until the scrub
        foreach (var location in image.Locations)
        {
            try
            {
                _store.Delete(location.Url);
            }
            catch (ImagePsException e)
            {
                _observer.Warning(string.Format(Messages.DataNotDeleted, image, e.Message));
                continue; // still queued: the scrub of a later changing command deletes it
            }
            try
            {
                _deletes.ConfirmDataDeleted(image.Id, location.Url);
            }
            catch (ImagePsException)
            {
                // Unconfirmed, it stays queued: a later scrub deletes it again (nothing there) and confirms it.
            }
        }
    }
}
