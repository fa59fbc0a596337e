using System;
using System.IO;

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
    private readonly string _folder;

    public FileUploadLeases(string folder)
    {
        _folder = folder;
    }

    public IDisposable? TryAcquire(Guid imageId)
    {
        Directory.CreateDirectory(_folder);
        try
        {
            var file = new FileStream(PathOf(imageId), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);
            WriteHolder(file);
            return file;
        }
        catch (IOException) when (File.Exists(PathOf(imageId)))
        {
            return null; // held by a live uploader
        }
        catch (UnauthorizedAccessException e)
        {
            throw ImageErrors.StoreAccessDenied(PathOf(imageId), e);
        }
    }

    public void Forget(Guid imageId)
    {
        try
        {
            File.Delete(PathOf(imageId));
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
