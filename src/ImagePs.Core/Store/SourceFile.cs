using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace ImagePs;

/// <summary>Opens the file an upload reads, with a clear error for each way that can go wrong.</summary>
internal static class SourceFile
{
    /// <summary>Returns the full path of an existing regular file, or the matching error.</summary>
    public static string Check(string path)
    {
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw ImageErrors.SourceNotFound(path);
        }
        if (Directory.Exists(full)) throw ImageErrors.SourceIsDirectory(full);
        if (!File.Exists(full)) throw ImageErrors.SourceNotFound(full);
        return full;
    }

    /// <summary>
    /// Opens the source; cancellation returns at once even while the open blocks (a FIFO waits in
    /// open() until a writer comes): the abandoned open closes what it gets, if it ever gets it.
    /// </summary>
    public static FileStream Open(string path, CancellationToken cancellationToken = default)
    {
        var full = Check(path);
        if (!cancellationToken.CanBeCanceled) return OpenChecked(full);
        var opening = Task.Run(() => OpenChecked(full));
        try
        {
            opening.Wait(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            _ = opening.ContinueWith(t =>
            {
                if (t.Status == TaskStatus.RanToCompletion) t.Result.Dispose();
                else _ = t.Exception;
            }, TaskScheduler.Default);
            throw;
        }
        catch (AggregateException)
        {
            // Faulted: rethrown below as the original exception.
        }
        return opening.GetAwaiter().GetResult();
    }

    private static FileStream OpenChecked(string full)
    {
        try
        {
            return new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Classify(e, full);
        }
    }

    public static ImagePsException Classify(Exception e, string path) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => ImageErrors.SourceNotFound(path),
        UnauthorizedAccessException => ImageErrors.SourceAccessDenied(path, e),
        _ => ImageErrors.SourceReadFailed(path, e),
    };
}
