using System;
using System.Numerics;
using System.Security.Cryptography;

namespace ImagePs.Signatures;

/// <summary>
/// RSASSA-PSS verification (RFC 8017, 8.1.2 and 9.1.2) that accepts any salt length, as Glance's
/// cursive does (PSS.MAX_LENGTH on verify). .NET's own PSS verification only accepts a salt as long
/// as the hash, while OpenSSL signs with the longest salt by default, so images signed the way
/// Glance documents would otherwise fail.
/// </summary>
internal static class RsaPssVerifier
{
    public static bool Verify(RSAParameters key, byte[] messageHash, byte[] signature, HashAlgorithmName hash)
    {
        var n = Unsigned(key.Modulus!);
        var e = Unsigned(key.Exponent!);
        var modBits = BitLength(n);
        var k = (modBits + 7) / 8;
        if (signature.Length != k) return false;
        var s = Unsigned(signature);
        if (s >= n) return false;

        var emBits = modBits - 1;
        var emLength = (emBits + 7) / 8;
        var em = BigEndian(BigInteger.ModPow(s, e, n), emLength);
        return em is not null && EmsaPssVerify(messageHash, em, emBits, hash);
    }

    private static bool EmsaPssVerify(byte[] messageHash, byte[] em, int emBits, HashAlgorithmName hash)
    {
        var hashLength = messageHash.Length;
        if (em.Length < hashLength + 2 || em[em.Length - 1] != 0xbc) return false;

        var dbLength = em.Length - hashLength - 1;
        var h = new byte[hashLength];
        Buffer.BlockCopy(em, dbLength, h, 0, hashLength);

        var unusedBits = 8 * em.Length - emBits;
        var topMask = (byte)(0xFF >> unusedBits);
        if ((em[0] & ~topMask) != 0) return false;

        var db = Mgf1(h, dbLength, hash);
        for (var i = 0; i < dbLength; i++) db[i] ^= em[i];
        db[0] &= topMask;

        var separator = 0;
        while (separator < dbLength && db[separator] == 0) separator++;
        if (separator == dbLength || db[separator] != 0x01) return false;

        var saltLength = dbLength - separator - 1;
        var mPrime = new byte[8 + hashLength + saltLength];
        Buffer.BlockCopy(messageHash, 0, mPrime, 8, hashLength);
        Buffer.BlockCopy(db, separator + 1, mPrime, 8 + hashLength, saltLength);
        return FixedTimeEquals(h, Digest(hash, mPrime));
    }

    private static byte[] Mgf1(byte[] seed, int length, HashAlgorithmName hash)
    {
        var mask = new byte[length];
        var input = new byte[seed.Length + 4];
        Buffer.BlockCopy(seed, 0, input, 0, seed.Length);
        var filled = 0;
        for (uint counter = 0; filled < length; counter++)
        {
            input[seed.Length] = (byte)(counter >> 24);
            input[seed.Length + 1] = (byte)(counter >> 16);
            input[seed.Length + 2] = (byte)(counter >> 8);
            input[seed.Length + 3] = (byte)counter;
            var block = Digest(hash, input);
            var take = Math.Min(block.Length, length - filled);
            Buffer.BlockCopy(block, 0, mask, filled, take);
            filled += take;
        }
        return mask;
    }

    private static byte[] Digest(HashAlgorithmName hash, byte[] data) => Store.StreamingHash.Compute(hash, data);

    private static BigInteger Unsigned(byte[] bigEndian)
    {
        var little = new byte[bigEndian.Length + 1];
        for (var i = 0; i < bigEndian.Length; i++) little[i] = bigEndian[bigEndian.Length - 1 - i];
        return new BigInteger(little);
    }

    /// <summary>I2OSP: the integer as exactly <paramref name="length"/> big-endian bytes, or null if it does not fit.</summary>
    private static byte[]? BigEndian(BigInteger value, int length)
    {
        var little = value.ToByteArray();
        var significant = little.Length;
        while (significant > 0 && little[significant - 1] == 0) significant--;
        if (significant > length) return null;
        var result = new byte[length];
        for (var i = 0; i < significant; i++) result[length - 1 - i] = little[i];
        return result;
    }

    private static int BitLength(BigInteger value)
    {
        var bytes = value.ToByteArray();
        var top = bytes.Length - 1;
        while (top > 0 && bytes[top] == 0) top--;
        var bits = top * 8;
        for (var b = bytes[top]; b != 0; b >>= 1) bits++;
        return bits;
    }

    private static bool FixedTimeEquals(byte[] a, byte[] b)
    {
        if (a.Length != b.Length) return false;
        var difference = 0;
        for (var i = 0; i < a.Length; i++) difference |= a[i] ^ b[i];
        return difference == 0;
    }
}
