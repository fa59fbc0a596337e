using System;
using System.IO;
using System.Linq;
using System.Threading;
using ImagePs.Errors;
using ImagePs.Settings;

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

    public static void Run(IImageStore store, Image image, string target, bool overwrite, Action<long> progress, CancellationToken cancellationToken,
        params string[] protectedFolders)
    {
        var destination = Resolve(target, protectedFolders);
        var type = RepositoryFile.FileTypeOf(destination);
        var exists = type is not null || File.Exists(destination) || Directory.Exists(destination);
        if (Directory.Exists(destination) || type == TypeDirectory) throw ImageErrors.DestinationNotRegularFile(target, "folder");
        if (exists && !overwrite) throw ImageErrors.DestinationExists(target);
        if (type is { } special && special != TypeRegular && special != TypeCharDevice)
            throw ImageErrors.DestinationNotRegularFile(target, KindName(special));
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

        if (type == TypeCharDevice)
        {
            WriteThrough(image, data, destination, target, location, progress, cancellationToken);
            return;
        }

        var folder = Path.GetDirectoryName(destination)!;
        RemoveDeadPartials(folder);
        // Named so that a later download can tell it is one of ours and whether its writer is alive
        // (a live writer holds it locked): a killed download leaves nothing behind for ever.
        var partial = Path.Combine(folder, $".{Path.GetFileName(destination)}.{Environment.ProcessId}.{Guid.NewGuid():N}{FileSystemImageStore.PartialSuffix}");
        try
        {
            SinglePassCopier.Result copied;
            using (data)
            using (var output = ChunkFile.Create(partial, ownerOnly: false))
            {
                // A replaced file keeps its permissions; a new one gets what the umask allows.
                if (exists && !OperatingSystem.IsWindows()) File.SetUnixFileMode(partial, File.GetUnixFileMode(destination));
                copied = SinglePassCopier.Copy(image.Id, data, output, image.Size, location, null, progress, cancellationToken);
                Verify(image, copied);
                if (!OperatingSystem.IsWindows()) MoveIntoPlace(partial, destination, overwrite);
            }
            if (OperatingSystem.IsWindows()) MoveIntoPlace(partial, destination, overwrite);
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

    private const int TypeFifo = 0x1000, TypeCharDevice = 0x2000, TypeDirectory = 0x4000, TypeBlockDevice = 0x6000, TypeRegular = 0x8000, TypeSocket = 0xC000;

    private static string KindName(int type) => type switch
    {
        TypeFifo => "FIFO",
        TypeBlockDevice => "block device",
        TypeSocket => "socket",
        TypeDirectory => "folder",
        _ => "special file",
    };

    /// <summary>
    /// The file to write: through a symbolic link to the file it names (the link stays), in a folder
    /// that exists and lies outside the repository and its store (resolved, so a link cannot hide it).
    /// </summary>
    private static string Resolve(string target, string[] protectedFolders)
    {
        var destination = Path.GetFullPath(target);
        if (new FileInfo(destination).LinkTarget is not null && File.ResolveLinkTarget(destination, returnFinalTarget: true) is { } final)
            destination = final.FullName;
        var folder = Path.GetDirectoryName(destination)!;
        if (!Directory.Exists(folder)) throw ImageErrors.DestinationFolderNotFound(target, folder);
        var realFolder = RepositoryFile.RealPath(folder);
        foreach (var root in protectedFolders)
        {
            if (!Directory.Exists(root)) continue;
            var realRoot = RepositoryFile.RealPath(root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
            if ((realFolder.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar).StartsWith(realRoot, PathComparison))
                throw ImageErrors.InvalidDestination(target, root);
        }
        return Path.Combine(realFolder, Path.GetFileName(destination));
    }

    private static StringComparison PathComparison => OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>A character device (/dev/null, a tape, a serial line) is written to, never renamed over.</summary>
    private static void WriteThrough(Image image, Stream data, string destination, string target, string location, Action<long> progress,
        CancellationToken cancellationToken)
    {
        try
        {
            using (data)
            using (var device = new FileStream(destination, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 1))
            {
                var copied = SinglePassCopier.Copy(image.Id, data, new FileChunkWriter(device), image.Size, location, null, progress, cancellationToken);
                Verify(image, copied);
            }
        }
        catch (ImagePsException e) when (e.ErrorId == "ImageSizeMismatch")
        {
            throw ImageErrors.ImageDataCorrupted(image, e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw ImageErrors.DestinationWriteFailed(target, e);
        }
    }

    /// <summary>Partial files of earlier downloads into <paramref name="folder"/> whose process is gone (their lock is free).</summary>
    private static void RemoveDeadPartials(string folder)
    {
        string[] candidates;
        try
        {
            candidates = Directory.GetFiles(folder, ".*" + FileSystemImageStore.PartialSuffix);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }
        foreach (var path in candidates)
        {
            if (!OurPartial.IsMatch(Path.GetFileName(path))) continue;
            try
            {
                using var held = RepositoryFile.Open(path, FileMode.Open, FileAccess.Read, FileShare.None);
                RepositoryFile.Delete(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ImagePsException)
            {
                // Locked by a live download, or not ours to touch.
            }
        }
    }

    private static readonly System.Text.RegularExpressions.Regex OurPartial =
        new(@"^\..+\.[0-9]+\.[0-9a-f]{32}\.partial$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

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
        // A rename: atomic, and on Unix done while the partial is still locked by this download.
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
