using System;
using System.IO;

namespace ImagePs.Import;

/// <summary>
/// A forward-only stream whose first bytes can be looked at before it is read: <see cref="Head"/>
/// buffers them (for the inspector, which needs to seek), and reading then starts with them again.
/// </summary>
internal sealed class HeadStream : ReadOnlyForwardStream
{
    private readonly Stream _inner;
    private readonly int _size;
    private byte[]? _head;
    private int _headLength;
    private int _headPosition;
    private long _position;

    public HeadStream(Stream inner, int size)
    {
        _inner = inner;
        _size = size;
    }

    /// <summary>The first bytes (fewer when the data is shorter), as a seekable stream of their own.</summary>
    public Stream Head()
    {
        if (_head is null)
        {
            if (_position > 0) throw new InvalidOperationException("the head is read before the data");
            _head = new byte[_size];
            while (_headLength < _size)
            {
                var read = _inner.Read(_head, _headLength, _size - _headLength);
                if (read == 0) break;
                _headLength += read;
            }
        }
        return new MemoryStream(_head, 0, _headLength, writable: false);
    }

    public override int Read(Span<byte> buffer)
    {
        int read;
        if (_head is not null && _headPosition < _headLength)
        {
            read = Math.Min(buffer.Length, _headLength - _headPosition);
            _head.AsSpan(_headPosition, read).CopyTo(buffer);
            _headPosition += read;
        }
        else
        {
            read = _inner.Read(buffer);
        }
        _position += read;
        return read;
    }

    protected override long Consumed => _position;
}
