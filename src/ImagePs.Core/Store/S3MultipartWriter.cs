using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Amazon.S3;
using Amazon.S3.Model;
using ImagePs.Settings;

namespace ImagePs.Store;

/// <summary>
/// Where the copier writes when the store is S3: chunks are gathered into part buffers and each full
/// part is uploaded in the background, at most <c>ConcurrentParts</c> at a time, while the copier reads
/// and hashes the next ones. Memory is bounded: ConcurrentParts + 1 pooled buffers of one part each,
/// whatever the size of the image. Data that fits in one part is sent with a single PUT at the end.
/// <see cref="Flush"/> completes the object; <see cref="Abort"/> (after any failure) aborts the
/// multipart upload, or deletes the object if it was already completed, so nothing is left behind.
/// </summary>
internal sealed class S3MultipartWriter : IChunkWriter, IDisposable
{
    /// <summary>S3 allows at most this many parts in one upload.</summary>
    public const int MaxParts = 10_000;

    /// <summary>With an unknown size, the part size doubles every this many parts (1 TiB fits with 8 MiB parts).</summary>
    private const int PartsPerSizeStep = 1_000;

    private readonly IAmazonS3 _client;
    private readonly string _bucket;
    private readonly string _key;
    private readonly bool _https;
    private readonly long? _expectedSize;
    private readonly long _basePartSize;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _cancel;
    private readonly Stack<byte[]> _freeBuffers = new();
    private readonly List<Task> _uploads = new();
    private readonly SortedDictionary<int, string> _etags = new();
    private readonly object _gate = new();
    private byte[]? _current;
    private int _filled;
    private int _partNumber;
    private string? _uploadId;
    private Exception? _failure;
    private bool _completed;

    public S3MultipartWriter(IAmazonS3 client, string bucket, string key, long? expectedSize, long partSize, int concurrentParts, bool https, CancellationToken cancellationToken)
    {
        _client = client;
        _bucket = bucket;
        _key = key;
        _https = https;
        _expectedSize = expectedSize;
        _basePartSize = expectedSize is long size ? Math.Max(partSize, RoundUpToMiB((size + MaxParts - 1) / MaxParts)) : partSize;
        _slots = new SemaphoreSlim(concurrentParts, concurrentParts);
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    /// <summary>True once the object exists in the bucket (completed, or put in one request).</summary>
    public bool Completed => _completed;

    /// <summary>Parts uploaded so far (0 when the data went in a single PUT).</summary>
    public int PartCount => _partNumber;

    public void Write(DataChunk chunk)
    {
        ThrowIfFailed();
        var offset = chunk.Offset;
        var remaining = chunk.Count;
        while (remaining > 0)
        {
            _current ??= TakeBuffer(CurrentPartSize());
            var room = (int)CurrentPartSize() - _filled;
            var n = Math.Min(room, remaining);
            Buffer.BlockCopy(chunk.Buffer, offset, _current, _filled, n);
            _filled += n;
            offset += n;
            remaining -= n;
            if (_filled == CurrentPartSize()) SubmitCurrent();
        }
    }

    /// <summary>Sends what is left and completes the object.</summary>
    public void Flush()
    {
        ThrowIfFailed();
        if (_uploadId is null)
        {
            PutWhole();
            return;
        }
        if (_filled > 0) SubmitCurrent();
        WaitForUploads();
        ThrowIfFailed();
        var parts = _etags.Select(p => new PartETag(p.Key, p.Value)).ToList();
        Run(_client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = _bucket, Key = _key, UploadId = _uploadId, PartETags = parts,
        }, _cancel.Token));
        _completed = true;
    }

    /// <summary>Undoes everything this writer did in the bucket; never throws for a failure to clean up.</summary>
    public void Abort()
    {
        _cancel.Cancel();
        WaitForUploads();
        try
        {
            if (_completed)
                Run(_client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = _key }, CancellationToken.None));
            else if (_uploadId is not null)
                Run(_client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _bucket, Key = _key, UploadId = _uploadId }, CancellationToken.None));
            _completed = false;
            _uploadId = null;
        }
        catch (Exception)
        {
            // Best effort, whatever went wrong (the server may be the reason the upload failed):
            // what is left is DeleteLeftovers' to remove, before the next upload into this image.
        }
    }

    public void Dispose()
    {
        WaitForUploads();
        lock (_gate)
        {
            foreach (var buffer in _freeBuffers) ArrayPool<byte>.Shared.Return(buffer);
            _freeBuffers.Clear();
        }
        if (_current is not null) ArrayPool<byte>.Shared.Return(_current);
        _current = null;
        _cancel.Dispose();
        _slots.Dispose();
    }

    /// <summary>The size of the part being filled: the base size, doubled every 1,000 parts when the total is unknown.</summary>
    private long CurrentPartSize()
    {
        if (_expectedSize is not null) return _basePartSize;
        var steps = Math.Min(_partNumber / PartsPerSizeStep, 10);
        return Math.Min(_basePartSize << steps, StoreSettings.MaximumPartSize);
    }

    private void SubmitCurrent()
    {
        if (_uploadId is null)
        {
            _uploadId = Run(_client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = _bucket, Key = _key }, _cancel.Token)).UploadId;
        }
        var partNumber = ++_partNumber;
        if (partNumber > MaxParts) throw new IOException(string.Format(Messages.S3TooManyParts, MaxParts));
        var buffer = _current!;
        var count = _filled;
        _current = null;
        _filled = 0;

        try
        {
            _slots.Wait(_cancel.Token);
        }
        catch (OperationCanceledException)
        {
            lock (_gate) _freeBuffers.Push(buffer);
            ThrowIfFailed(); // cancelled because another part failed: report that failure
            throw;
        }
        var upload = Task.Run(async () =>
        {
            try
            {
                using var body = new MemoryStream(buffer, 0, count, writable: false);
                var response = await _client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = _bucket, Key = _key, UploadId = _uploadId, PartNumber = partNumber,
                    InputStream = body, PartSize = count, UseChunkEncoding = false, DisablePayloadSigning = _https ? true : null,
                }, _cancel.Token).ConfigureAwait(false);
                lock (_gate) _etags[partNumber] = response.ETag;
            }
            catch (Exception e)
            {
                lock (_gate) _failure ??= e;
                _cancel.Cancel();
            }
            finally
            {
                lock (_gate) _freeBuffers.Push(buffer);
                _slots.Release();
            }
        });
        lock (_gate) _uploads.Add(upload);
        ThrowIfFailed();
    }

    private void PutWhole()
    {
        using var body = new MemoryStream(_current ?? Array.Empty<byte>(), 0, _filled, writable: false);
        Run(_client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = _bucket, Key = _key, InputStream = body, AutoCloseStream = false,
            UseChunkEncoding = false, DisablePayloadSigning = _https ? true : null,
        }, _cancel.Token));
        _completed = true;
    }

    /// <summary>A free part buffer of at least <paramref name="size"/> bytes (a free one is there: see the slots).</summary>
    private byte[] TakeBuffer(long size)
    {
        lock (_gate)
        {
            while (_freeBuffers.Count > 0)
            {
                var buffer = _freeBuffers.Pop();
                if (buffer.Length >= size) return buffer;
                ArrayPool<byte>.Shared.Return(buffer); // the part size grew
            }
        }
        return ArrayPool<byte>.Shared.Rent(checked((int)size));
    }

    private void WaitForUploads()
    {
        Task[] uploads;
        lock (_gate) uploads = _uploads.ToArray();
        try
        {
            Task.WaitAll(uploads);
        }
        catch (AggregateException)
        {
            // Each upload records its own failure.
        }
    }

    private void ThrowIfFailed()
    {
        Exception? failure;
        lock (_gate) failure = _failure;
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
    }

    private static T Run<T>(Task<T> task) => task.ConfigureAwait(false).GetAwaiter().GetResult();

    private static long RoundUpToMiB(long bytes) => (bytes + (1L << 20) - 1) & ~((1L << 20) - 1);
}
