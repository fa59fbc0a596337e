using System;

namespace ImagePs.Signatures;

/// <summary>
/// ECDSA and DSA signatures arrive DER-encoded (SEQUENCE of the integers r and s, as OpenSSL and
/// Python's cryptography write them); .NET verifies r and s concatenated, each padded to the key's
/// field size. This converts one to the other, refusing anything malformed.
/// </summary>
internal static class DerSignature
{
    public static byte[]? ToFixed(byte[] der, int fieldSize)
    {
        var position = 0;
        if (!Expect(der, ref position, 0x30, out var sequenceLength) || position + sequenceLength != der.Length) return null;
        if (!Expect(der, ref position, 0x02, out var rLength)) return null;
        var r = new ArraySegment<byte>(der, position, rLength);
        position += rLength;
        if (!Expect(der, ref position, 0x02, out var sLength) || position + sLength != der.Length) return null;
        var s = new ArraySegment<byte>(der, position, sLength);

        var result = new byte[2 * fieldSize];
        return Place(r, result, 0, fieldSize) && Place(s, result, fieldSize, fieldSize) ? result : null;
    }

    private static bool Expect(byte[] der, ref int position, byte tag, out int length)
    {
        length = 0;
        if (position + 2 > der.Length || der[position++] != tag) return false;
        int first = der[position++];
        if (first < 0x80)
        {
            length = first;
        }
        else
        {
            var count = first & 0x7F;
            if (count is 0 or > 2 || position + count > der.Length) return false;
            for (var i = 0; i < count; i++) length = (length << 8) | der[position++];
        }
        return length > 0 && position + length <= der.Length;
    }

    private static bool Place(ArraySegment<byte> integer, byte[] target, int offset, int size)
    {
        var start = integer.Offset;
        var count = integer.Count;
        while (count > 1 && integer.Array![start] == 0) { start++; count--; }
        if (count > size) return false;
        Buffer.BlockCopy(integer.Array!, start, target, offset + size - count, count);
        return true;
    }
}
