using System;
using System.IO;
using ImagePs.Errors;
using ImagePs.Settings;

namespace ImagePs.Store;

/// <summary>
/// Upload leases as exclusively opened lock files, <c>uploads/&lt;id&gt;.lock</c> in the repository:
/// the operating system releases the lock when the holder's process ends, however it ends, on
/// Windows, Linux and macOS alike. A lock file is deleted only when the image can no longer receive
/// data (Active or deleted), so two processes can never hold leases on two different files for the
/// same image.
/// </summary>
internal sealed class FileUploadLeases : IUploadLeases
{
    private const int MaxAttempts = 10;

    private readonly string _folder;

    public FileUploadLeases(string folder)
    {
        _folder = folder;
    }

    public IDisposable? TryAcquire(Guid imageId)
    {
        var path = PathOf(imageId);
        try
        {
            Directory.CreateDirectory(_folder);
            // The lease is the locked file, not its path: a lock taken on a file that was removed or
            // replaced meanwhile (by its holder's Forget, or by hand) proves nothing, so take it again
            // on what the path names now. Bounded: each retry needs someone to replace the file again.
            for (var attempt = 0; ; attempt++)
            {
                var file = RepositoryFile.Open(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                if (RepositoryFile.IsStillAt(file, path))
                {
                    WriteHolder(file);
                    return file;
                }
                file.Dispose();
                if (attempt == MaxAttempts) return null;
            }
        }
        catch (IOException e) when (IsLockConflict(e))
        {
            return null; // held by a live uploader
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

    /// <summary>
    /// The lock is held elsewhere: .NET reports the flock conflict as errno EWOULDBLOCK on Unix (11 on
    /// Linux, 35 on macOS) and as ERROR_SHARING_VIOLATION / ERROR_LOCK_VIOLATION (32 / 33) on Windows.
    /// Asking whether the file still exists would race with its holder deleting it.
    /// </summary>
    private static bool IsLockConflict(IOException e)
    {
        if (Path.DirectorySeparatorChar == '\\') return (e.HResult & 0xFFFF) is 32 or 33;
        return e.HResult is 11 or 35;
    }

    public void Forget(Guid imageId)
    {
        try
        {
            RepositoryFile.Delete(PathOf(imageId));
        }
        catch (IOException)
        {
            // Still held or already gone: it is only a marker.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private string PathOf(Guid imageId) => Path.Combine(_folder, imageId.ToString("D") + ".lock");

    /// <summary>Who holds the lease, for a human looking at the folder.</summary>
    private static void WriteHolder(FileStream file)
    {
        var text = System.Text.Encoding.UTF8.GetBytes(
            $"{Environment.MachineName} pid {System.Diagnostics.Process.GetCurrentProcess().Id} since {DateTime.UtcNow:o}\n");
        file.SetLength(0);
        file.Write(text, 0, text.Length);
        file.Flush();
    }
}
