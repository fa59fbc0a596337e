using System.IO;
using SharpCompress.Common;
using SharpCompress.Providers;

namespace ImagePs.Import;

/// <summary>
/// Inflates a zip entry whose compressed size the local header gives with .NET's own DeflateStream
/// (native zlib, about 5 times SharpCompress's managed inflater here). An entry whose size follows
/// its data (a zip written to a pipe) keeps SharpCompress's inflater, which finds the data's end
/// itself; .NET's reads ahead past it.
/// </summary>
internal sealed class ZipDeflateProvider : DecompressionOnlyProviderBase
{
    public override CompressionType CompressionType => CompressionType.Deflate;

    protected override string CompressionNotSupportedMessage => "decompression only";

    public override Stream CreateDecompressStream(Stream source) =>
        new SharpCompress.Compressors.Deflate.DeflateStream(source, SharpCompress.Compressors.CompressionMode.Decompress);

    public override Stream CreateDecompressStream(Stream source, CompressionContext context) =>
        context.InputSize > 0
            ? new System.IO.Compression.DeflateStream(source, System.IO.Compression.CompressionMode.Decompress, leaveOpen: true)
            : CreateDecompressStream(source);
}
