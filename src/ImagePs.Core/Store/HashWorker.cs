using System;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Threading;

namespace ImagePs.Store;

/// <summary>
/// One hash on its own thread, fed the chunks the copier reads, in order. MD5 and SHA-512 cannot be
/// split within one stream, so running each on its own core is what makes them cost one pass.
/// </summary>
internal sealed class HashWorker : IDisposable
{
    private readonly StreamingHash _hash;
    private readonly BlockingCollection<DataChunk> _queue;
    private readonly Action<DataChunk> _done;
    private readonly Thread _thread;
    private Exception? _failure;

    public HashWorker(HashAlgorithmName algorithm, int capacity, Action<DataChunk> done)
    {
        Algorithm = algorithm;
        _hash = StreamingHash.Create(algorithm);
        _queue = new BlockingCollection<DataChunk>(capacity);
        _done = done;
        _thread = new Thread(Run) { IsBackground = true, Name = "ImagePs " + algorithm.Name };
        _thread.Start();
    }

    public HashAlgorithmName Algorithm { get; }

    public void Post(DataChunk chunk) => _queue.Add(chunk);

    /// <summary>Waits for every posted chunk and returns the digest (or the hashing failure).</summary>
    public byte[] Finish()
    {
        Drain();
        if (_failure is not null) throw new CryptographicException($"{Algorithm.Name} failed: {_failure.Message}", _failure);
        return _hash.Finish();
    }

    /// <summary>Lets the thread finish the chunks already posted, then frees the hash.</summary>
    public void Dispose()
    {
        Drain();
        _hash.Dispose();
        _queue.Dispose();
    }

    private void Drain()
    {
        if (!_queue.IsAddingCompleted) _queue.CompleteAdding();
        _thread.Join();
    }

    private void Run()
    {
        foreach (var chunk in _queue.GetConsumingEnumerable())
        {
            try
            {
                if (_failure is null) _hash.Append(chunk.Buffer, chunk.Offset, chunk.Count);
            }
            catch (Exception e)
            {
                _failure = e;
            }
            _done(chunk);
        }
    }
}
