using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using ImagePs.Errors;

namespace ImagePs.Store;

/// <summary>
/// The embedded store: one file per image, named by its id, in the repository's images folder
/// (glance_store's filesystem driver). Data is written to a temporary name, flushed to disk, then
/// moved into place without ever replacing an existing file.
/// </summary>
internal sealed class FileSystemImageStore : IImageStore
{
    internal const string PartialSuffix = ".partial";

    public FileSystemImageStore(string root)
    {
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    public StoredData Add(Guid imageId, Stream data, StoreAddOptions options, CancellationToken cancellationToken)
    {
        var target = DataPath(imageId);
        if (File.Exists(target)) throw ImageErrors.DataAlreadyStored(imageId, target);

        var partial = Path.Combine(Root, $"{imageId:D}.{Guid.NewGuid():N}{PartialSuffix}");
        try
        {
            SinglePassCopier.Result copied;
            using (var output = ChunkFile.Create(partial))
            {
                copied = SinglePassCopier.Copy(imageId, data, output, options.ExpectedSize, SourceName(data),
                    options.ExtraHashes, options.Progress, cancellationToken);
                // Unix moves the file while its lock is still held, so recovery never sees it unlocked.
                if (!IsWindows) MoveIntoPlace(imageId, partial, target);
            }
            if (IsWindows) MoveIntoPlace(imageId, partial, target);
            return new StoredData(LocationOf(target), copied.Size, copied.Md5, SinglePassCopier.HashAlgo, copied.Sha512, copied.Digests);
        }
        catch (Exception e)
        {
            TryDelete(partial);
            var classified = Classify(e, partial);
            if (ReferenceEquals(classified, e)) throw;
            throw classified;
        }
    }

    public Stream OpenRead(string location) =>
        Settings.RepositoryFile.Open(PathOf(location), FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);

    public void Delete(string location)
    {
        var path = PathOf(location);
        try
        {
            Settings.RepositoryFile.Delete(path);
        }
        catch (UnauthorizedAccessException e)
        {
            throw ImageErrors.StoreAccessDenied(path, e);
        }
        catch (IOException e)
        {
            throw ImageErrors.StoreWriteFailed(path, e);
        }
    }

    public void DeleteLeftovers(Guid imageId)
    {
        var id = imageId.ToString("D");
        foreach (var partial in Directory.GetFiles(Root, id + ".*" + PartialSuffix)) DeleteUnlessBeingWritten(imageId, partial);
        var target = DataPath(imageId);
        if (File.Exists(target)) DeleteUnlessBeingWritten(imageId, target);
    }

    public IEnumerable<(Guid ImageId, string Location)> ListData()
    {
        if (!Directory.Exists(Root)) yield break;
        foreach (var path in Directory.EnumerateFiles(Root))
        {
            // A name that is exactly an image id: partial writes (<id>.<n>.partial) and anything else are never listed.
            if (Guid.TryParseExact(Path.GetFileName(path), "D", out var id) && Path.GetFileName(path) == id.ToString("D"))
                yield return (id, LocationOf(path));
        }
    }

    /// <summary>
    /// A writer holds its file locked until it is in place: a locked leftover proves its upload is
    /// alive even if the upload's lease file was removed by hand, so nothing is deleted under it.
    /// </summary>
    private void DeleteUnlessBeingWritten(Guid imageId, string path)
    {
        FileStream held;
        try
        {
            held = Settings.RepositoryFile.Open(path, FileMode.Open, FileAccess.Read, FileShare.None);
        }
        catch (FileNotFoundException)
        {
            return;
        }
        catch (IOException e) when (e.HResult is 11 or 35 || (IsWindows && (e.HResult & 0xFFFF) is 32 or 33))
        {
            throw ImageErrors.UploadInProgress(imageId);
        }
        using (held)
        {
            if (path.EndsWith(PartialSuffix, StringComparison.Ordinal)) TryDelete(path);
            else Delete(LocationOf(path));
        }
    }

    private static bool IsWindows => Path.DirectorySeparatorChar == '\\';

    public string? GetLocalPath(string location) => PathOf(location);

    public override string ToString() => Root;

    internal string DataPath(Guid imageId) => Path.Combine(Root, imageId.ToString("D"));

    private static string LocationOf(string path) => new Uri(path).AbsoluteUri;

    /// <summary>
    /// The file behind a location, refusing any location outside this store: a tampered catalog row
    /// must never make ImagePs read or delete an arbitrary file.
    /// </summary>
    private string PathOf(string location)
    {
        if (!Uri.TryCreate(location, UriKind.Absolute, out var uri) || !uri.IsFile) throw ImageErrors.InvalidLocation(location);
        var path = Path.GetFullPath(uri.LocalPath);
        var parent = Path.GetDirectoryName(path);
        if (parent is null || !string.Equals(Path.GetFullPath(parent).TrimEnd(Path.DirectorySeparatorChar), Root.TrimEnd(Path.DirectorySeparatorChar), PathComparison)
            || !Guid.TryParseExact(Path.GetFileName(path), "D", out _))
            throw ImageErrors.InvalidLocation(location);
        return path;
    }

    private static StringComparison PathComparison =>
        Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    private static void MoveIntoPlace(Guid imageId, string partial, string target)
    {
        try
        {
            // File.Move never overwrites: a target that appeared meanwhile is a conflict, not lost data.
            File.Move(partial, target);
        }
        catch (IOException) when (File.Exists(target))
        {
            throw ImageErrors.DataAlreadyStored(imageId, target);
        }
    }

    private static string SourceName(Stream data) => data is FileStream file ? file.Name : data.GetType().Name;

    private static Exception Classify(Exception e, string path)
    {
        switch (e)
        {
            case ImagePsException or OperationCanceledException:
                return e;
            case UnauthorizedAccessException:
                return ImageErrors.StoreAccessDenied(path, e);
            case IOException io when IsDiskFull(io):
                return ImageErrors.StorageFull(path, io);
            case IOException io:
                return ImageErrors.StoreWriteFailed(path, io);
            default:
                return e;
        }
    }

    /// <summary>
    /// .NET reports the raw errno as HResult on Unix: ENOSPC is 28, EDQUOT 122 (Linux) or 69 (macOS).
    /// Windows: ERROR_HANDLE_DISK_FULL (39) or ERROR_DISK_FULL (112) inside an HRESULT.
    /// </summary>
    private static bool IsDiskFull(IOException e)
    {
        if (Path.DirectorySeparatorChar == '\\') return (e.HResult & 0xFFFF) is 39 or 112;
        return e.HResult is 28 || (e.HResult == 122 && !IsMacOs) || (e.HResult == 69 && IsMacOs);
    }

    private static bool IsMacOs => System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.OSX);

    private static void TryDelete(string path)
    {
        try
        {
            Settings.RepositoryFile.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
