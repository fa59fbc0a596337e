using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ImagePs.Errors;
using ImagePs.Settings;

namespace ImagePs.Import;

/// <summary>
/// The temporary files of imports (a download that must be converted, qemu-img's output), kept in
/// <c>&lt;repository&gt;/import-temp</c> so they are on the repository's disk, readable only by its owner.
/// </summary>
/// <remarks>
/// Each temporary file <c>&lt;32 hex digits&gt;.&lt;extension&gt;</c> has a lock file beside it,
/// <c>&lt;same digits&gt;.lock</c>, held with an exclusive lock for as long as the file is in use: an
/// flock on Unix (over NFS the Linux client maps it to an NFS lock that every host sees, unless the
/// share is mounted with <c>local_lock=flock</c> or <c>nolock</c>), a handle that shares nothing but
/// delete on Windows (SMB enforces it for every client). The lock is on a separate file because
/// qemu-img takes its own locks on the image it writes (over NFS an flock on that file would be a
/// whole-file lock in their way) and because on Windows qemu-img must be able to open it.
/// A process that dies drops its lock with its handles (an NFS client that dies, when its lease
/// ends). <see cref="SweepStale"/> deletes a file only when it can take that lock itself and neither
/// file changed for <see cref="QuietPeriod"/>: the second condition keeps a file that a live process
/// on a host whose locks are not shared is still writing. Order makes it race-free: the lock file is
/// created and locked (and checked to be still in place) before its temporary file exists, and
/// <see cref="TemporaryFile.Dispose"/> deletes the temporary file before its lock file.
/// </remarks>
internal sealed class ImportTemporaryFiles
{
    public const string FolderName = "import-temp";
    internal const string LockExtension = ".lock";

    /// <summary>A stale file must also have been left unchanged this long.</summary>
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromMinutes(10);

    private const int CreateAttempts = 3;
    private readonly RepositoryFolder _repository;

    private ImportTemporaryFiles(RepositoryFolder repository)
    {
        _repository = repository;
        FolderPath = Path.Combine(repository.Root, FolderName);
    }

    /// <summary>The import-temp folder.</summary>
    public string FolderPath { get; }

    public static ImportTemporaryFiles For(RepositoryFolder folder) => new(folder);

    /// <summary>
    /// A new, empty file named <c>&lt;random&gt;.&lt;extension&gt;</c> (letters and digits, at most 16),
    /// created exclusively: nothing planted at its path is followed or reused.
    /// </summary>
    public TemporaryFile Create(string extension)
    {
        var suffix = Suffix(extension);
        EnsureFolder();
        for (var attempt = 1; ; attempt++)
        {
            var stem = Guid.NewGuid().ToString("N");
            var lockPath = Path.Combine(FolderPath, stem + LockExtension);
            FileStream holder;
            try
            {
                holder = RepositoryFile.Open(lockPath, FileMode.CreateNew, FileAccess.ReadWrite, HolderShare);
            }
            catch (IOException) when (attempt < CreateAttempts)
            {
                // A sweep took the new lock file's lock before this process could: try another name.
                continue;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw ImageErrors.ImportTemporaryFileFailed(lockPath, e);
            }

            if (!RepositoryFile.IsStillAt(holder, lockPath))
            {
                // A sweep deleted it between its creation and its lock.
                holder.Dispose();
                if (attempt < CreateAttempts) continue;
                throw ImageErrors.ImportTemporaryFileFailed(lockPath, new IOException(Messages.TemporaryLockLost));
            }

            var path = Path.Combine(FolderPath, stem + suffix);
            try
            {
                RepositoryFile.Open(path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete).Dispose();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ImagePsException)
            {
                DeleteQuietly(lockPath);
                holder.Dispose();
                throw e is ImagePsException known ? known : ImageErrors.ImportTemporaryFileFailed(path, e);
            }
            return new TemporaryFile(path, lockPath, holder);
        }
    }

    /// <summary>
    /// Deletes the temporary files of imports whose process is gone (on any host sharing the folder)
    /// and the lock files left without one; returns how many temporary files it deleted. Never one
    /// that is still in use; files of other names are left alone.
    /// </summary>
    public int SweepStale()
    {
        string[] entries;
        try
        {
            if (!Directory.Exists(FolderPath)) return 0;
            entries = Directory.GetFiles(FolderPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }

        var deleted = 0;
        foreach (var group in entries.GroupBy(StemOf).Where(g => g.Key is not null))
        {
            var lockPath = Path.Combine(FolderPath, group.Key + LockExtension);
            var files = group.Where(f => !string.Equals(Path.GetFileName(f), group.Key + LockExtension, StringComparison.Ordinal)).ToList();
            if (!TryTakeLock(lockPath, out var holder)) continue;
            using (holder)
            {
                if (ChangedRecently(files.Append(lockPath))) continue;
                foreach (var file in files)
                {
                    if (DeleteQuietly(file)) deleted++;
                }
                // The lock file goes only when its file is gone: otherwise the next sweep tries again.
                if (holder is not null && files.All(f => !File.Exists(f))) DeleteQuietly(lockPath);
            }
        }
        return deleted;
    }

    /// <summary>
    /// Takes the exclusive lock of a lock file; true with a null holder when there is no lock file
    /// (the temporary file is an orphan: its lock file is always created first and deleted last).
    /// </summary>
    private static bool TryTakeLock(string lockPath, out FileStream? holder)
    {
        holder = null;
        try
        {
            holder = RepositoryFile.Open(lockPath, FileMode.Open, FileAccess.ReadWrite, HolderShare);
        }
        catch (FileNotFoundException)
        {
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ImagePsException)
        {
            // Held by a live process (or not a file ImagePs made): left alone.
            return false;
        }
        if (RepositoryFile.IsStillAt(holder, lockPath)) return true;
        holder.Dispose();
        holder = null;
        return false;
    }

    private static bool ChangedRecently(IEnumerable<string> files)
    {
        var since = DateTime.UtcNow - QuietPeriod;
        foreach (var file in files)
        {
            try
            {
                if (File.Exists(file) && File.GetLastWriteTimeUtc(file) > since) return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Deletes a file; false when there was none or it could not be deleted (in use on Windows, no permission).</summary>
    internal static bool DeleteQuietly(string path)
    {
        try
        {
            if (!File.Exists(path)) return false;
            RepositoryFile.Delete(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The 32-digit stem of a name this class made, else null.</summary>
    private static string? StemOf(string path)
    {
        var name = Path.GetFileName(path);
        var dot = name.IndexOf('.');
        if (dot != 32) return null;
        for (var i = 0; i < 32; i++)
        {
            if (!Uri.IsHexDigit(name[i]) || char.IsUpper(name[i])) return null;
        }
        return name.Substring(0, 32);
    }

    private static string Suffix(string extension)
    {
        var bare = extension.StartsWith(".", StringComparison.Ordinal) ? extension.Substring(1) : extension;
        if (bare.Length == 0 || bare.Length > 16 || !bare.All(c => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9')
            || string.Equals("." + bare, LockExtension, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"Not a temporary file extension: '{extension}'.", nameof(extension));
        return "." + bare;
    }

    /// <summary>
    /// Unix: FileShare.None is an exclusive flock (see RepositoryFile). Windows: a handle that shares
    /// only delete keeps every other opener out, and still lets its owner delete the file.
    /// </summary>
    private static FileShare HolderShare => Path.DirectorySeparatorChar == '\\' ? FileShare.Delete : FileShare.None;

    /// <summary>Creates import-temp (owner-only, like the repository folder); a link in its place is refused.</summary>
    private void EnsureFolder()
    {
        try
        {
            if (!Directory.Exists(_repository.Root)) _repository.EnsureCreated();
            var info = new DirectoryInfo(FolderPath);
            if (info.Exists || info.LinkTarget is not null)
            {
                if (info.LinkTarget is not null || (info.Attributes & FileAttributes.ReparsePoint) != 0)
                    throw ImageErrors.UnsafeRepositoryFile(FolderPath);
                return;
            }
            Directory.CreateDirectory(FolderPath);
            OwnerOnlyPermissions.Apply(FolderPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw ImageErrors.ImportTemporaryFileFailed(FolderPath, e);
        }
    }
}
