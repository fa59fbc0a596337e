using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using ImagePs.Errors;

namespace ImagePs.Store;

/// <summary>Opens the file an upload reads, with a clear error for each way that can go wrong.</summary>
internal static class SourceFile
{
    /// <summary>
    /// Returns the full path of an existing regular file, or the matching error. Inspection
    /// (New-Image -Path) reads headers at several offsets, which a FIFO or a device cannot give.
    /// </summary>
    public static string Check(string path)
    {
        var (full, kind) = Find(path);
        if (kind != SourceKind.RegularFile) throw ImageErrors.SourceNotRegularFile(full, KindName(kind));
        return full;
    }

    /// <summary>
    /// Opens a source to upload: a regular file, or a stream (a FIFO, a character or block device)
    /// read to its end. <paramref name="length"/> is the file's size when it can be known: a FIFO or
    /// a device has none, and a regular file reporting 0 bytes may be a /proc or /sys file that has
    /// content all the same, so 0 counts as unknown (an empty file still uploads as 0 bytes).
    /// Cancellation returns at once even while the open blocks (a FIFO waits in open() until a
    /// writer comes): the abandoned open closes what it gets, if it ever gets it.
    /// </summary>
    public static FileStream Open(string path, out long? length, CancellationToken cancellationToken = default)
    {
        var (full, kind) = Find(path);
        if (kind == SourceKind.Socket) throw ImageErrors.SourceNotRegularFile(full, KindName(kind));
        var stream = cancellationToken.CanBeCanceled ? OpenCancellable(full, cancellationToken) : OpenChecked(full);
        try
        {
            length = kind == SourceKind.RegularFile && stream.CanSeek && stream.Length > 0 ? stream.Length : null;
        }
        catch (IOException e)
        {
            stream.Dispose();
            throw Classify(e, full);
        }
        return stream;
    }

    private static FileStream OpenCancellable(string full, CancellationToken cancellationToken)
    {
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
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
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

    private static (string Full, SourceKind Kind) Find(string path)
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
        var kind = SourceKinds.Of(full);
        if (kind == SourceKind.Directory) throw ImageErrors.SourceIsDirectory(full);
        if (kind == SourceKind.Missing) throw ImageErrors.SourceNotFound(full);
        return (full, kind);
    }

    private static string KindName(SourceKind kind) => kind switch
    {
        SourceKind.Fifo => Messages.SourceKindFifo,
        SourceKind.CharacterDevice => Messages.SourceKindCharacterDevice,
        SourceKind.BlockDevice => Messages.SourceKindBlockDevice,
        _ => Messages.SourceKindSocket,
    };
}
