using System;
using System.IO;
using System.Runtime.ExceptionServices;

namespace ImagePs.Import;

/// <summary>
/// Stands between the fetched bytes and a decoder and keeps the first failure of the source itself
/// (a dropped download, a read error), so that failure reaches the caller as it was, however the
/// decoder reported it, and only the decoder's own complaints become ImportDecompressionFailed.
/// </summary>
internal sealed class SourceReadGuard : ReadOnlyForwardStream
{
    private readonly Stream _source;
    private volatile ExceptionDispatchInfo? _failure;

    public SourceReadGuard(Stream source) => _source = source;

    /// <summary>Throws the source's own failure, if it had one.</summary>
    public void ThrowIfFailed() => _failure?.Throw();

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return _source.Read(buffer);
        }
        catch (Exception e)
        {
            _failure ??= ExceptionDispatchInfo.Capture(e);
            throw;
        }
    }

}
