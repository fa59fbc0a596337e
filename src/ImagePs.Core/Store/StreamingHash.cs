using System;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;

namespace ImagePs.Store;

/// <summary>
/// A hash fed in pieces. The platform's IncrementalHash for everything it offers; SHA-224, which
/// .NET does not offer and Glance accepts for image signatures, by BouncyCastle.
/// </summary>
internal abstract class StreamingHash : IDisposable
{
    public static readonly HashAlgorithmName Sha224Name = new("SHA224");

    public static StreamingHash Create(HashAlgorithmName algorithm) =>
        algorithm.Name == Sha224Name.Name ? new Bouncy(new Sha224Digest()) : new Platform(IncrementalHash.CreateHash(algorithm));

    public static byte[] Compute(HashAlgorithmName algorithm, byte[] data)
    {
        using var hash = Create(algorithm);
        hash.Append(data, 0, data.Length);
        return hash.Finish();
    }

    public abstract void Append(byte[] data, int offset, int count);

    public abstract byte[] Finish();

    public virtual void Dispose() { }

    private sealed class Platform : StreamingHash
    {
        private readonly IncrementalHash _hash;

        public Platform(IncrementalHash hash) => _hash = hash;

        public override void Append(byte[] data, int offset, int count) => _hash.AppendData(data, offset, count);

        public override byte[] Finish() => _hash.GetHashAndReset();

        public override void Dispose() => _hash.Dispose();
    }

    private sealed class Bouncy : StreamingHash
    {
        private readonly IDigest _digest;

        public Bouncy(IDigest digest) => _digest = digest;

        public override void Append(byte[] data, int offset, int count) => _digest.BlockUpdate(data, offset, count);

        public override byte[] Finish()
        {
            var result = new byte[_digest.GetDigestSize()];
            _digest.DoFinal(result, 0);
            return result;
        }
    }
}
