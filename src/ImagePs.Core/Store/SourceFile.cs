using System;
using System.IO;

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

    public static FileStream Open(string path)
    {
        var full = Check(path);
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
