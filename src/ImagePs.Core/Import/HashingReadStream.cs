using System;
using System.IO;
using System.Security.Cryptography;

namespace ImagePs.Import;

/// <summary>
/// Passes reads through and hashes and counts every byte read: the source hash of an import is taken
/// on the fetched (still compressed) bytes in the same pass that stores the decompressed ones.
/// </summary>
internal sealed class HashingReadStream : ReadOnlyForwardStream
{
    private readonly Stream _inner;
    private readonly bool _leaveOpen;
    private readonly IncrementalHash _hash;

    public HashingReadStream(Stream inner, HashAlgorithmName algorithm, bool leaveOpen = false)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _leaveOpen = leaveOpen;
        _hash = IncrementalHash.CreateHash(algorithm);
    }

    public long BytesRead { get; private set; }

    /// <summary>False once <see cref="StopHashing"/> was called: the bytes are only counted.</summary>
    public bool Hashing { get; private set; } = true;

    /// <summary>
    /// Counts the bytes from now on without hashing them: for data stored as it is fetched, whose
    /// SHA-512 the upload computes anyway, a second hash would only cost time on the reading thread.
    /// </summary>
    public void StopHashing() => Hashing = false;

    /// <summary>Lower-case hex of the bytes read so far: the source's digest once the inner stream reached its end.</summary>
    public string HexDigest() => Hashing
        ? Convert.ToHexString(_hash.GetCurrentHash()).ToLowerInvariant()
        : throw new InvalidOperationException("the hashing was stopped");

    public override int Read(Span<byte> buffer)
    {
        var n = _inner.Read(buffer);
        if (n > 0)
        {
            if (Hashing) _hash.AppendData(buffer.Slice(0, n));
            BytesRead += n;
        }
        return n;
    }

    protected override long Consumed => BytesRead;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            if (!_leaveOpen) _inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
