namespace ImagePs.Tests.Support;

/// <summary>
/// A source that fails part-way, like a disk or network read error, after <c>failAfter</c> bytes;
/// optionally runs an action at that point instead (to change the catalog mid-upload).
/// </summary>
internal sealed class FaultyStream : Stream
{
    private readonly Stream _inner;
    private readonly long _failAfter;
    private readonly Action? _atFailurePoint;
    private long _position;
    private bool _fired;

    public FaultyStream(Stream inner, long failAfter, Action? atFailurePoint = null)
    {
        _inner = inner;
        _failAfter = failAfter;
        _atFailurePoint = atFailurePoint;
    }

    public long BytesRead => _position;

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (!_fired && _position >= _failAfter)
        {
            _fired = true;
            if (_atFailurePoint is null) throw new IOException("Simulated read error");
            _atFailurePoint();
        }
        var n = _inner.Read(buffer, offset, _fired ? count : (int)Math.Min(count, _failAfter - _position));
        _position += n;
        return n;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _inner.Length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
