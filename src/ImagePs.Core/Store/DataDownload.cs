using System;
using System.IO;
using System.Linq;
using System.Threading;

namespace ImagePs.Store;

/// <summary>
/// Copies an image's data out of the store to a file, verifying it in the same pass: the bytes are
/// written to a temporary file next to the target and only moved into place once their size, MD5
/// and SHA-512 match the catalog. A mismatch deletes the temporary file (<c>ImageDataCorrupted</c>).
/// </summary>
internal static class DataDownload
{
    /// <summary>The file to write: <paramref name="destination"/> itself, or &lt;name&gt;.&lt;format&gt; inside it when it is a folder.</summary>
    public static string TargetPath(Image image, string destination)
    {
        var full = Path.GetFullPath(destination);
        return Directory.Exists(full) ? Path.Combine(full, FileNameFor(image)) : full;
    }

    public static void Run(IImageStore store, Image image, string target, bool overwrite, Action<long> progress, CancellationToken cancellationToken)
    {
        if (File.Exists(target) && !overwrite) throw ImageErrors.DestinationExists(target);
        if (Directory.Exists(target)) throw ImageErrors.DestinationExists(target);
        var location = image.Locations.FirstOrDefault()?.Url ?? throw ImageErrors.ImageDataMissing(image, "(no location)");

        Stream data;
        try
        {
            data = store.OpenRead(location);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw ImageErrors.ImageDataMissing(image, location);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw ImageErrors.StoreReadFailed(location, e);
        }

        var folder = Path.GetDirectoryName(target)!;
        var partial = Path.Combine(folder, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}{FileSystemImageStore.PartialSuffix}");
        try
        {
            SinglePassCopier.Result copied;
            using (data)
            using (var output = ChunkFile.Create(partial))
            {
                copied = SinglePassCopier.Copy(image.Id, data, output, image.Size, location, null, progress, cancellationToken);
            }
            Verify(image, copied);
            MoveIntoPlace(partial, target, overwrite);
        }
        catch (ImagePsException e) when (e.ErrorId == "ImageSizeMismatch")
        {
            TryDelete(partial);
            throw ImageErrors.ImageDataCorrupted(image, e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(partial);
            throw ImageErrors.DestinationWriteFailed(target, e);
        }
        catch (Exception)
        {
            TryDelete(partial);
            throw;
        }
    }

    private static void Verify(Image image, SinglePassCopier.Result copied)
    {
        if (image.Checksum is { } md5 && !string.Equals(md5, copied.Md5, StringComparison.OrdinalIgnoreCase))
            throw ImageErrors.ImageDataCorrupted(image, $"MD5 is {copied.Md5}, the catalog says {md5}");
        if (image.OsHashAlgo == SinglePassCopier.HashAlgo && image.OsHashValue is { } sha512
            && !string.Equals(sha512, copied.Sha512, StringComparison.OrdinalIgnoreCase))
            throw ImageErrors.ImageDataCorrupted(image, $"SHA-512 is {copied.Sha512}, the catalog says {sha512}");
    }

    private static void MoveIntoPlace(string partial, string target, bool overwrite)
    {
        if (overwrite && File.Exists(target)) File.Replace(partial, target, null);
        else File.Move(partial, target);
    }

    /// <summary>The image's name made safe as a file name (no folders, no reserved characters), plus its format.</summary>
    internal static string FileNameFor(Image image)
    {
        var name = string.IsNullOrWhiteSpace(image.Name) ? image.Id.ToString("D") : image.Name!;
        var invalid = Path.GetInvalidFileNameChars().Concat(new[] { '/', '\\', ':' }).ToArray();
        var safe = new string(name.Select(c => invalid.Contains(c) || char.IsControl(c) ? '_' : c).ToArray()).Trim('.', ' ');
        if (safe.Length == 0) safe = image.Id.ToString("D");
        var extension = image.DiskFormat is null ? "" : "." + image.DiskFormat;
        return safe.EndsWith(extension, StringComparison.OrdinalIgnoreCase) ? safe : safe + extension;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
