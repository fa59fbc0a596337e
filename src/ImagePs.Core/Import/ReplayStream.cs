using System;
using System.IO;

namespace ImagePs.Import;

/// <summary>A forward stream that gives back the bytes already peeked, then the rest of the source.</summary>
internal sealed class ReplayStream : Stream
{
    private readonly byte[] _head;
    private readonly Stream _rest;
    private int _position;
    private long _read;

    public ReplayStream(byte[] head, Stream rest)
    {
        _head = head;
        _rest = rest;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position < _head.Length)
        {
            var n = Math.Min(buffer.Length, _head.Length - _position);
            _head.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            _read += n;
            return n;
        }
        var m = _rest.Read(buffer);
        _read += m;
        return m;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    /// <summary>The bytes read so far (SharpCompress's xz decoder counts its place with it).</summary>
    public override long Position { get => _read; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
