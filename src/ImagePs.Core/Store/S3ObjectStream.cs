using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Amazon.S3;
using Amazon.S3.Model;

namespace ImagePs.Store;

/// <summary>
/// A read-only, seekable view of an object, over ranged GETs. A read after a seek fetches a small
/// range (at least 64 KiB, or what was asked for), so the format inspector reads headers anywhere in
/// an image without downloading it; reads that continue where the last range ended fetch ranges
/// twice as large each time, up to 64 MiB, so a download streams in a few large requests. A range
/// that breaks off mid-way is asked for again once, from where it stopped.
/// </summary>
internal sealed class S3ObjectStream : Stream
{
    private const long FirstRange = 64 * 1024;
    private const long LargestRange = 64L << 20;

    private readonly IAmazonS3 _client;
    private readonly string _bucket;
    private readonly string _key;
    private readonly string _location;
    private GetObjectResponse? _response;
    private Stream? _body;
    private long _bodyPosition;
    private long _rangeEnd;
    private long _lastRange;
    private long _position;

    public S3ObjectStream(IAmazonS3 client, string bucket, string key, long length, string location)
    {
        _client = client;
        _bucket = bucket;
        _key = key;
        _location = location;
        Length = length;
    }

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length { get; }

    /// <summary>GET requests made so far.</summary>
    public int Requests { get; private set; }

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (count == 0 || _position >= Length) return 0;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if (_body is null || _bodyPosition != _position || _bodyPosition >= _rangeEnd) OpenRange(count);
                var wanted = (int)Math.Min(count, _rangeEnd - _bodyPosition);
                var n = _body!.Read(buffer, offset, wanted);
                if (n == 0) throw new IOException(string.Format(Messages.S3RangeEndedEarly, _location, _bodyPosition));
                _bodyPosition += n;
                _position += n;
                return n;
            }
            catch (Exception e) when (attempt == 0 && IsTransient(e))
            {
                CloseRange(); // once more, from where it stopped
            }
            catch (Exception e) when (e is AmazonS3Exception or Amazon.Runtime.AmazonClientException or System.Net.Http.HttpRequestException or TaskCanceledException)
            {
                throw new IOException(e.Message, e);
            }
        }
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => Length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        if (target < 0) throw new IOException(string.Format(Messages.S3SeekBeforeStart, _location));
        _position = target;
        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) CloseRange();
        base.Dispose(disposing);
    }

    private void OpenRange(int count)
    {
        var continues = _body is not null && _position == _rangeEnd;
        var size = continues ? Math.Min(_lastRange * 2, LargestRange) : Math.Max(count, FirstRange);
        var end = Math.Min(Length, _position + size);
        CloseRange();
        Requests++;
        _response = _client.GetObjectAsync(new GetObjectRequest
        {
            BucketName = _bucket, Key = _key, ByteRange = new ByteRange(_position, end - 1),
        }).ConfigureAwait(false).GetAwaiter().GetResult();
        _body = _response.ResponseStream;
        _bodyPosition = _position;
        _rangeEnd = end;
        _lastRange = end - _position;
    }

    private void CloseRange()
    {
        _body?.Dispose();
        _response?.Dispose();
        _body = null;
        _response = null;
    }

    /// <summary>A connection that broke mid-range (not an answer from the server).</summary>
    private static bool IsTransient(Exception e) => e is IOException && e is not FileNotFoundException;
}
