using System;
using System.IO;

namespace ImagePs.Import;

/// <summary>
/// What every stream an import reads through shares: read once from start to end, never written,
/// never sought. A stream that knows how far it has read says so through <see cref="Consumed"/>.
/// </summary>
internal abstract class ReadOnlyForwardStream : Stream
{
    public abstract override int Read(Span<byte> buffer);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <summary>The bytes read so far, for <see cref="Position"/>; not supported unless a stream counts them.</summary>
    protected virtual long Consumed => throw new NotSupportedException();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => Consumed; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
