using System;
using System.IO;
using System.Threading;
using ImagePs.Errors;
using ImagePs.Settings;
using SharpCompress.Compressors.BZip2;
using SharpCompress.Compressors.Xz;
using ZstdDecompressionStream = SharpCompress.Compressors.ZStandard.DecompressionStream;

namespace ImagePs.Import;

/// <summary>
/// Glance's image_decompression plugin (zip, gzip), here also xz, zstd and bzip2: the format is told
/// by the content's first bytes, never by a name, and the data is decoded as it streams. Each format
/// uses what was measured fastest here (about_ImagePs_Import, DECOMPRESSION): gzip .NET's own zlib,
/// zip and zstd SharpCompress, xz and bzip2 the system's <c>xz</c> and <c>bzip2</c> when on PATH (they
/// run beside the hashing, on another core) and SharpCompress when they are not.
/// </summary>
internal static class Decompression
{
    private const string SharpCompressName = "SharpCompress";

    public static DecompressedStream Open(Stream compressed, string source, RepositorySettings settings, CancellationToken cancellationToken) =>
        Open(compressed, source, settings, DecompressionTools.OnPath, cancellationToken);

    internal static DecompressedStream Open(Stream compressed, string source, RepositorySettings settings, DecompressionTools tools, CancellationToken cancellationToken)
    {
        if (compressed is null) throw new ArgumentNullException(nameof(compressed));
        _ = settings;
        var input = new SourceReadGuard(compressed);
        // A source failure here is the source's own: it passes through unwrapped.
        var head = Peek(input);
        var replay = new ReplayStream(head, input);
        var format = CompressionMagic.Detect(head);
        if (format is null) return new DecompressedStream(replay, input, source, null, null, cancellationToken);
        try
        {
            var (decoded, decoder) = Decoder(format, replay, source, tools, cancellationToken);
            return new DecompressedStream(decoded, input, source, format, decoder, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException && e is not ImagePsException)
        {
            // A decoder that reads its headers up front (zip) may find them bad already.
            input.ThrowIfFailed();
            throw ImageErrors.ImportDecompressionFailed(format, source, e);
        }
    }

    private static (Stream Decoded, string Decoder) Decoder(string format, Stream data, string source, DecompressionTools tools, CancellationToken cancellationToken)
    {
        switch (format)
        {
            case "gzip":
                // Every member of a multi-member file (as pigz and concatenation make), as gzip -dc does.
                if (WholeGZipStream.Available) return (new WholeGZipStream(data), "System.IO.Compression");
                return (new SharpCompress.Compressors.Deflate.GZipStream(data, SharpCompress.Compressors.CompressionMode.Decompress), SharpCompressName);
            case "zip":
                return (ZipEntryStream.Open(data, source), SharpCompressName);
            case "zstd":
                return (new ZstdDecompressionStream(data, 0, checkEndOfStream: true, leaveOpen: false), SharpCompressName);
            case "xz":
                return SystemTool("xz", data, tools, cancellationToken) ?? (new XZStream(data), SharpCompressName);
            case "bzip2":
                return SystemTool("bzip2", data, tools, cancellationToken)
                    ?? (BZip2Stream.Create(data, SharpCompress.Compressors.CompressionMode.Decompress, false, true, false), SharpCompressName);
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, null);
        }
    }

    private static (Stream, string)? SystemTool(string name, Stream data, DecompressionTools tools, CancellationToken cancellationToken)
    {
        var program = tools.Find(name);
        if (program is null) return null;
        var started = ToolDecoderStream.TryStart(name, program, data, cancellationToken);
        return started is null ? null : (started, name + " (system tool)");
    }

    private static byte[] Peek(Stream input)
    {
        var head = new byte[CompressionMagic.Length];
        var filled = 0;
        int n;
        while (filled < head.Length && (n = input.Read(head, filled, head.Length - filled)) > 0) filled += n;
        return filled == head.Length ? head : head.AsSpan(0, filled).ToArray();
    }
}
