using System;
using System.Buffers;
using System.IO;
using System.Security.Cryptography;
using System.Threading;
using ImagePs.Errors;
using ImagePs.Formats;
using ImagePs.Store;

namespace ImagePs.Formats;

/// <summary>
/// Inspects a local file with the native inspectors and, when asked, hashes it (MD5 and SHA-512
/// together, in one sequential read). Reads only; creates and changes nothing.
/// </summary>
internal static class ImageFileInspector
{
    private const int ChunkSize = 1024 * 1024;

    public static ImageFileInfo Inspect(string path, bool hash, CancellationToken cancellationToken = default)
    {
        using var file = SourceFile.Open(SourceFile.Check(path), out _, cancellationToken); // a regular file: headers are read at several offsets
        var full = file.Name;
        try
        {
            if (!file.CanSeek) throw ImageErrors.SourceReadFailed(full, new NotSupportedException(Messages.FileInfoNotSeekable));
            var inspection = ImageInspector.Inspect(file);
            if (!hash) return new ImageFileInfo(full, inspection, null, null);
            file.Position = 0;
            var (md5, sha512) = HashAll(file, cancellationToken);
            return new ImageFileInfo(full, inspection, md5, sha512);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw SourceFile.Classify(e, full);
        }
    }

    private static (string Md5, string Sha512) HashAll(Stream data, CancellationToken cancellationToken)
    {
        using var md5 = StreamingHash.Create(HashAlgorithmName.MD5);
        using var sha512 = StreamingHash.Create(HashAlgorithmName.SHA512);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            int read;
            while ((read = data.Read(buffer, 0, ChunkSize)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                md5.Append(buffer, 0, read);
                sha512.Append(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return (Convert.ToHexString(md5.Finish()).ToLowerInvariant(), Convert.ToHexString(sha512.Finish()).ToLowerInvariant());
    }
}
