using System;
using System.IO;

namespace ImagePs.Store;

/// <summary>
/// A read-only pass-through that fails the moment more than <c>limit</c> bytes have been read
/// (Glance's LimitingReader): the size cap and the storage quota are enforced on the bytes as they
/// arrive, never on what the caller declared.
/// </summary>
internal sealed class LimitingStream : Stream
{
    private readonly Stream _inner;
    private readonly long _limit;
    private readonly Func<Exception> _onExceeded;
    private long _read;

    public LimitingStream(Stream inner, long limit, Func<Exception> onExceeded)
    {
        _inner = inner;
        _limit = limit;
        _onExceeded = onExceeded;
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = _inner.Read(buffer, offset, count);
        _read += n;
        if (_read > _limit) throw _onExceeded();
        return n;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
