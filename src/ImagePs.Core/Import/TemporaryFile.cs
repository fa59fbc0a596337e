using System;
using System.IO;
using System.Threading;
using ImagePs.Settings;

namespace ImagePs.Import;

/// <summary>
/// One temporary file in import-temp (see <see cref="ImportTemporaryFiles"/>): in use while this
/// object holds its lock file's lock, deleted by <see cref="Dispose"/>.
/// </summary>
internal sealed class TemporaryFile : IDisposable
{
    private readonly string _lockPath;
    private FileStream? _holder;
    private int _disposed;

    internal TemporaryFile(string path, string lockPath, FileStream holder)
    {
        Path = path;
        _lockPath = lockPath;
        _holder = holder;
    }

    public string Path { get; }

    /// <summary>The file itself, emptied, for writing (never through a link planted at its path).</summary>
    public FileStream OpenWrite() =>
        RepositoryFile.Open(Path, FileMode.Create, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 1);

    /// <summary>The file itself, for reading (never through a link planted at its path).</summary>
    public FileStream OpenRead() =>
        RepositoryFile.Open(Path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 1);

    /// <summary>
    /// Deletes the file, then its lock file, then lets the lock go. Never throws: a file that cannot
    /// be deleted now (still open elsewhere on Windows) keeps no lock, so the next sweep deletes it.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        ImportTemporaryFiles.DeleteQuietly(Path);
        if (!File.Exists(Path)) ImportTemporaryFiles.DeleteQuietly(_lockPath);
        _holder?.Dispose();
        _holder = null;
    }

    public override string ToString() => Path;
}
