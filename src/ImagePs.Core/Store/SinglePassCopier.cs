using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using ImagePs.Errors;

namespace ImagePs.Store;

/// <summary>
/// Reads a stream once and, from the same buffers, writes it and computes MD5, SHA-512 and any
/// other hash asked for, each hash on its own thread. A small ring of pinned chunks is reused for
/// the whole copy: memory stays the same whatever the size, and nothing is allocated per chunk.
/// </summary>
internal static class SinglePassCopier
{
    public const string HashAlgo = "sha512";
    /// <summary>Each chunk is a pooled 4 MiB array; 4 MiB less 4 KiB of it carry data (alignment).</summary>
    public const int ChunkArrayLength = 4 << 20;
    public const int ChunkCount = 6;

    public sealed class Result
    {
        public Result(long size, IReadOnlyDictionary<string, byte[]> digests)
        {
            Size = size;
            Digests = digests;
        }

        public long Size { get; }

        /// <summary>Digests by algorithm name (MD5, SHA512, and the extra ones asked for).</summary>
        public IReadOnlyDictionary<string, byte[]> Digests { get; }

        public string Md5 => Hex(Digests[HashAlgorithmName.MD5.Name!]);
        public string Sha512 => Hex(Digests[HashAlgorithmName.SHA512.Name!]);
    }

    /// <summary>
    /// Fails with <c>ImageSizeMismatch</c> as soon as more bytes arrive than <paramref name="expectedSize"/>,
    /// or at the end when fewer did. Errors reading the source are <c>SourceReadFailed</c>; errors of
    /// the destination propagate for the store to classify. <paramref name="progress"/> is called on
    /// the calling thread with the bytes copied so far.
    /// </summary>
    public static Result Copy(
        Guid imageId, Stream source, IChunkWriter? destination, long? expectedSize, string sourceName,
        IEnumerable<HashAlgorithmName>? extraHashes, Action<long>? progress, CancellationToken cancellationToken)
    {
        var algorithms = new[] { HashAlgorithmName.MD5, HashAlgorithmName.SHA512 }
            .Concat(extraHashes ?? Enumerable.Empty<HashAlgorithmName>())
            .GroupBy(a => a.Name).Select(g => g.First()).ToList();

        var chunks = Enumerable.Range(0, ChunkCount).Select(_ => new DataChunk(ChunkArrayLength)).ToList();
        var free = new BlockingCollection<DataChunk>(ChunkCount);
        foreach (var chunk in chunks) free.Add(chunk);
        void Release(DataChunk chunk)
        {
            if (chunk.Release()) free.Add(chunk);
        }

        var workers = algorithms.Select(a => new HashWorker(a, ChunkCount, Release)).ToList();
        DataChunk? abandoned = null;
        try
        {
            long total = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var chunk = free.Take(cancellationToken);
                int n;
                try
                {
                    n = FillCancellable(source, chunk, sourceName, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    abandoned = chunk; // a read stuck in the kernel may still write into it
                    throw;
                }
                if (n == 0)
                {
                    free.Add(chunk);
                    break;
                }
                total += n;
                if (expectedSize is long declared && total > declared)
                {
                    free.Add(chunk);
                    throw ImageErrors.SizeMismatch(imageId, declared, total, more: true);
                }

                chunk.SetConsumers(workers.Count + 1);
                foreach (var worker in workers) worker.Post(chunk);
                try
                {
                    destination?.Write(chunk);
                }
                finally
                {
                    Release(chunk);
                }
                progress?.Invoke(total);
                if (n < chunk.Capacity) break; // Fill stops short only at the end of the data
            }

            if (expectedSize is long expected && total != expected)
                throw ImageErrors.SizeMismatch(imageId, expected, total, more: false);
            destination?.Flush();
            var digests = workers.ToDictionary(w => w.Algorithm.Name!, w => w.Finish(), StringComparer.OrdinalIgnoreCase);
            return new Result(total, digests);
        }
        finally
        {
            foreach (var worker in workers) worker.Dispose();
            // An abandoned read's buffer is never returned to the pool (nor unpinned): another copy
            // must not get an array that a late read() still writes into. One chunk per such cancel.
            foreach (var chunk in chunks.Where(c => !ReferenceEquals(c, abandoned))) chunk.Dispose();
            free.Dispose();
        }
    }

    /// <summary>
    /// Fills a chunk in a way Ctrl+C can interrupt whatever the source does: a FIFO nobody writes to,
    /// or a network share that stalls, blocks read() in the kernel, where no cancellation reaches it.
    /// The whole chunk is filled on a pool thread (a background thread: it never keeps the process
    /// alive), which the caller abandons on cancellation, with the chunk. One hand-off per chunk, not
    /// per read: a pipe or a socket gives 64 KiB or less per read, and a hand-off for each cost more
    /// than the hashing.
    /// </summary>
    private static int FillCancellable(Stream source, DataChunk chunk, string sourceName, CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled) return Fill(source, chunk, sourceName);
        var fill = Task.Run(() => Fill(source, chunk, sourceName));
        try
        {
            fill.Wait(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            _ = fill.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted); // observed, not rethrown
            throw;
        }
        catch (AggregateException)
        {
            // Faulted: rethrown below as the original exception.
        }
        return fill.GetAwaiter().GetResult();
    }

    /// <summary>Reads until the chunk is full or the data ends, so only the last chunk is short.</summary>
    private static int Fill(Stream source, DataChunk chunk, string sourceName)
    {
        var filled = 0;
        try
        {
            while (filled < chunk.Capacity)
            {
                var n = source.Read(chunk.Buffer, chunk.Offset + filled, chunk.Capacity - filled);
                if (n == 0) break;
                filled += n;
            }
        }
        catch (IOException e)
        {
            throw ImageErrors.SourceReadFailed(sourceName, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw ImageErrors.SourceAccessDenied(sourceName, e);
        }
        chunk.Count = filled;
        return filled;
    }

    /// <summary>Lower-case hex, as Glance stores checksums (net8.0 has no Convert.ToHexStringLower).</summary>
    internal static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
