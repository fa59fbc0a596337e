using System;
using System.IO;
using System.Threading;
using ImagePs.Errors;

namespace ImagePs.Import;

/// <summary>
/// The decompressed bytes of an import's source (or its bytes as they are, when they are not
/// compressed), read forward. Every failure of the decoder, library or system program, becomes
/// ImportDecompressionFailed naming the source; a failure of the source itself (a dropped download)
/// passes through as it was. When the decompressed data ends, whatever follows it in the source (a
/// zip's central directory, padding) is read too, so a hash taken under this stream covers the
/// whole source.
/// </summary>
internal sealed class DecompressedStream : ReadOnlyForwardStream
{
    private readonly Stream _decoded;
    private readonly SourceReadGuard _input;
    private readonly string _source;
    private readonly CancellationToken _cancellationToken;
    private bool _ended;

    internal DecompressedStream(Stream decoded, SourceReadGuard input, string source, string? format, string? decoder, CancellationToken cancellationToken)
    {
        _decoded = decoded;
        _input = input;
        _source = source;
        Format = format;
        Decoder = decoder;
        _cancellationToken = cancellationToken;
    }

    /// <summary>"gzip", "zip", "xz", "zstd" or "bzip2"; null for data that is not compressed.</summary>
    public string? Format { get; }

    /// <summary>What decodes it, for the verbose stream: "xz (system tool)", "SharpCompress", "System.IO.Compression"; null when not compressed.</summary>
    public string? Decoder { get; }

    /// <summary>The system program's process id while one decodes (tests check it is gone after an early dispose).</summary>
    internal int? ToolProcessId => (_decoded as ToolDecoderStream)?.ProcessId;

    public override int Read(Span<byte> buffer)
    {
        if (_ended || buffer.Length == 0) return 0;
        _cancellationToken.ThrowIfCancellationRequested();
        int n;
        try
        {
            n = _decoded.Read(buffer);
            if (n == 0 && Format is not null) DrainSource();
        }
        catch (Exception e) when (e is not OperationCanceledException || !_cancellationToken.IsCancellationRequested)
        {
            _input.ThrowIfFailed();
            if (e is ImagePsException) throw;
            throw ImageErrors.ImportDecompressionFailed(Format ?? "data", _source, e);
        }
        if (n == 0) _ended = true;
        return n;
    }

    private void DrainSource()
    {
        var rest = new byte[16 * 1024];
        while (_input.Read(rest, 0, rest.Length) > 0)
        {
            _cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Disposes the decoder (a system program is killed and reaped); the caller's source stream stays open.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing) _decoded.Dispose();
        base.Dispose(disposing);
    }
}
