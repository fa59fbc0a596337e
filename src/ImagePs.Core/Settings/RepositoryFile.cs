using System;
using System.IO;

namespace ImagePs.Settings;

/// <summary>
/// Opens, creates and deletes the files ImagePs keeps inside the repository folder as the files they
/// are expected to be: regular files, never reached through a symbolic link or reparse point planted
/// at their path (on a group-shared repository any member could otherwise aim another member's
/// writes at a file of their choosing). The repository folder itself and <c>images/</c> may be links.
/// A refusal is <c>UnsafeRepositoryFile</c>.
/// </summary>
internal static class RepositoryFile
{
    /// <summary>Opens <paramref name="path"/> without following a link at its last component.</summary>
    public static FileStream Open(string path, FileMode mode, FileAccess access, FileShare share,
        int bufferSize = 1, FileOptions options = FileOptions.None)
    {
        // First cut: refuse a link seen before the open. The race-free open (O_NOFOLLOW, or a
        // reparse-point open on Windows) replaces this.
        RequireRegularOrMissing(path);
        return new FileStream(path, mode, access, share, bufferSize, options);
    }

    /// <summary>Deletes the entry at <paramref name="path"/> (a link itself, never what it points to).</summary>
    public static void Delete(string path) => File.Delete(path);

    /// <summary>
    /// For files another library opens by path (SQLite's catalog.db, -wal, -shm): refuses anything
    /// but a regular file or nothing at all.
    /// </summary>
    public static void RequireRegularOrMissing(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists && info.LinkTarget is null && !Directory.Exists(path)) return;
        if (info.LinkTarget is not null || Directory.Exists(path) || (info.Attributes & FileAttributes.ReparsePoint) != 0)
            throw ImageErrors.UnsafeRepositoryFile(path);
    }
}
