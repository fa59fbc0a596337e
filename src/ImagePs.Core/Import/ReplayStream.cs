using System;
using System.IO;

namespace ImagePs.Import;

/// <summary>A forward stream that gives back the bytes already peeked, then the rest of the source.</summary>
internal sealed class ReplayStream : ReadOnlyForwardStream
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

    /// <summary>The bytes read so far (SharpCompress's xz decoder counts its place with it).</summary>
    protected override long Consumed => _read;
}
