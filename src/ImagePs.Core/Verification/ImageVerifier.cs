using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using ImagePs.Errors;
using ImagePs.Formats;
using ImagePs.Store;

namespace ImagePs.Verification;

/// <summary>
/// Test-Image's check of one image's data at rest: reads it from the store in one pass (the copier
/// the upload uses, MD5 and SHA-512 on their own threads, nothing written), compares size, MD5 and
/// os_hash with the catalog, and applies the upload's content rules (<see cref="ContentVerifier"/>)
/// to the stored headers again. Reads only; the verdict is in the result, never an exception, except
/// for cancellation.
/// </summary>
internal sealed class ImageVerifier
{
    private readonly IImageStore _store;
    private readonly ContentVerifier _content;

    public ImageVerifier(IImageStore store, ContentVerifier content)
    {
        _store = store;
        _content = content;
    }

    /// <summary>Statuses whose data is verified: the others have none (yet, or any more).</summary>
    public static bool HasData(Image image) => image.Status is ImageStatus.Active or ImageStatus.Deactivated;

    /// <param name="progress">Called with the bytes read so far of this image.</param>
    public ImageVerification Verify(Image image, Action<long>? progress, CancellationToken cancellationToken)
    {
        if (!HasData(image)) return new ImageVerification(image, ImageVerificationReason.NoData, F(Messages.VerifyNoData, image, image.Status));
        var location = image.Locations.FirstOrDefault()?.Url;
        if (location is null) return new ImageVerification(image, ImageVerificationReason.DataMissing, F(Messages.VerifyNoLocation, image, image.Status));

        var clock = Stopwatch.StartNew();
        var osHash = OsHashAlgorithm(image.OsHashAlgo);
        ImageInspection inspection;
        SinglePassCopier.Result copied;
        try
        {
            using var data = _store.OpenRead(location);
            inspection = ImageInspector.Inspect(data);
            data.Position = 0;
            copied = SinglePassCopier.Copy(image.Id, data, null, null, location,
                osHash is { } extra ? new[] { extra } : null, progress, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Done(new ImageVerification(image, ImageVerificationReason.DataMissing, ImageErrors.ImageDataMissing(image, location).Message), location, clock);
        }
        catch (ImagePsException e)
        {
            return Done(new ImageVerification(image, ImageVerificationReason.ReadFailed, e.Message), location, clock);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Done(new ImageVerification(image, ImageVerificationReason.ReadFailed, ImageErrors.StoreReadFailed(location, e).Message), location, clock);
        }

        var md5 = copied.Md5;
        var osHashValue = osHash is { } algorithm ? SinglePassCopier.Hex(copied.Digests[algorithm.Name!]) : null;
        var (reason, message) = Judge(image, copied.Size, md5, osHashValue, inspection);
        var result = new ImageVerification(image, reason, message)
        {
            ActualSize = copied.Size,
            ActualChecksum = md5,
            ActualOsHashValue = osHashValue,
            DetectedFormat = inspection.Format,
            Findings = inspection.Findings,
            BytesRead = copied.Size,
        };
        return Done(result, location, clock);
    }

    /// <summary>The first failure in the order <see cref="ImageVerificationReason"/> documents (size, MD5, os_hash, safety, format), or Intact.</summary>
    private (ImageVerificationReason, string) Judge(Image image, long size, string md5, string? osHashValue, ImageInspection inspection)
    {
        if (image.Size is long expected && expected != size)
            return (ImageVerificationReason.SizeMismatch, F(Messages.VerifySizeMismatch, image, size, expected));
        if (image.Checksum is { } checksum && !string.Equals(checksum, md5, StringComparison.OrdinalIgnoreCase))
            return (ImageVerificationReason.ChecksumMismatch, F(Messages.VerifyChecksumMismatch, image, md5, checksum));
        if (image.OsHashValue is { } hash && osHashValue is not null && !string.Equals(hash, osHashValue, StringComparison.OrdinalIgnoreCase))
            return (ImageVerificationReason.OsHashValueMismatch, F(Messages.VerifyOsHashMismatch, image, image.OsHashAlgo, osHashValue, hash));
        try
        {
            _content.CheckStored(image, inspection);
        }
        catch (UnsafeImageException e)
        {
            return (ImageVerificationReason.Unsafe, e.Message);
        }
        catch (ImagePsException e) when (e.ErrorId == "DiskFormatMismatch")
        {
            return (ImageVerificationReason.DiskFormatMismatch, e.Message);
        }
        var hashes = osHashValue is null ? "MD5" : "MD5 and " + image.OsHashAlgo;
        return (ImageVerificationReason.Intact, F(Messages.VerifyIntact, image, size, hashes));
    }

    /// <summary>The os_hash_algo values Glance's hashing_algorithm allows that .NET computes; null for another (not compared).</summary>
    private static HashAlgorithmName? OsHashAlgorithm(string? name) => name?.ToLowerInvariant() switch
    {
        "sha512" => HashAlgorithmName.SHA512,
        "sha384" => HashAlgorithmName.SHA384,
        "sha256" => HashAlgorithmName.SHA256,
        "sha1" => HashAlgorithmName.SHA1,
        "md5" => HashAlgorithmName.MD5,
        _ => null,
    };

    private static ImageVerification Done(ImageVerification result, string location, Stopwatch clock)
    {
        result.Location = location;
        result.Duration = clock.Elapsed;
        return result;
    }

    private static string F(string format, params object?[] args) => string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args);
}
