using System;
using System.Buffers;
using System.IO;
using System.Security.Cryptography;
using System.Threading;

namespace ImagePs.Store;

/// <summary>
/// Copies a stream to a destination while computing MD5 and SHA-512 over the same bytes: the data
/// is read once, whatever its size, through one pooled buffer.
/// </summary>
internal static class SinglePassCopier
{
    public const string HashAlgo = "sha512";
    private const int BufferSize = 1 << 20;

    public sealed class Result
    {
        public Result(long size, string md5, string sha512)
        {
            Size = size;
            Md5 = md5;
            Sha512 = sha512;
        }

        public long Size { get; }
        public string Md5 { get; }
        public string Sha512 { get; }
    }

    /// <summary>
    /// Fails with <c>ImageSizeMismatch</c> as soon as more bytes arrive than <paramref name="expectedSize"/>,
    /// or at the end when fewer did. Errors reading the source are <c>SourceReadFailed</c>; errors
    /// writing the destination propagate for the store to classify.
    /// </summary>
    public static Result Copy(Guid imageId, Stream source, Stream destination, long? expectedSize, string sourceName, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            using var sha512 = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
            long total = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var n = ReadSource(source, buffer, sourceName);
                if (n == 0) break;
                total += n;
                if (expectedSize is long declared && total > declared)
                    throw ImageErrors.SizeMismatch(imageId, declared, total, more: true);
                destination.Write(buffer, 0, n);
                md5.AppendData(buffer, 0, n);
                sha512.AppendData(buffer, 0, n);
            }
            if (expectedSize is long expected && total != expected)
                throw ImageErrors.SizeMismatch(imageId, expected, total, more: false);
            return new Result(total, Hex(md5.GetHashAndReset()), Hex(sha512.GetHashAndReset()));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int ReadSource(Stream source, byte[] buffer, string sourceName)
    {
        try
        {
            return source.Read(buffer, 0, buffer.Length);
        }
        catch (IOException e)
        {
            throw ImageErrors.SourceReadFailed(sourceName, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw ImageErrors.SourceAccessDenied(sourceName, e);
        }
    }

    internal static string Hex(byte[] bytes)
    {
        var chars = new char[bytes.Length * 2];
        const string digits = "0123456789abcdef";
        for (var i = 0; i < bytes.Length; i++)
        {
            chars[2 * i] = digits[bytes[i] >> 4];
            chars[2 * i + 1] = digits[bytes[i] & 0xF];
        }
        return new string(chars);
    }
}
