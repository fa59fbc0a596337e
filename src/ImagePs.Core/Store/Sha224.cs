using System;

namespace ImagePs.Store;

/// <summary>
/// SHA-224 (FIPS 180-4, 6.3): SHA-256's compression with its own initial values, truncated to
/// 224 bits. Only image signatures that name SHA-224 use it.
/// </summary>
internal sealed class Sha224 : StreamingHash
{
    private static readonly uint[] K =
    {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    };

    private readonly uint[] _state = { 0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939, 0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4 };
    private readonly uint[] _w = new uint[64];
    private readonly byte[] _block = new byte[64];
    private int _blockLength;
    private ulong _totalBytes;

    public override void Append(byte[] data, int offset, int count)
    {
        _totalBytes += (ulong)count;
        while (count > 0)
        {
            if (_blockLength == 0 && count >= 64)
            {
                Compress(data, offset);
                offset += 64;
                count -= 64;
                continue;
            }
            var take = Math.Min(64 - _blockLength, count);
            Buffer.BlockCopy(data, offset, _block, _blockLength, take);
            _blockLength += take;
            offset += take;
            count -= take;
            if (_blockLength == 64)
            {
                Compress(_block, 0);
                _blockLength = 0;
            }
        }
    }

    public override byte[] Finish()
    {
        var bits = _totalBytes * 8;
        var padding = new byte[(_blockLength < 56 ? 56 : 120) - _blockLength + 8];
        padding[0] = 0x80;
        for (var i = 0; i < 8; i++) padding[padding.Length - 1 - i] = (byte)(bits >> (8 * i));
        var total = _totalBytes;
        Append(padding, 0, padding.Length);
        _totalBytes = total;

        var digest = new byte[28];
        for (var i = 0; i < 7; i++)
        {
            digest[4 * i] = (byte)(_state[i] >> 24);
            digest[4 * i + 1] = (byte)(_state[i] >> 16);
            digest[4 * i + 2] = (byte)(_state[i] >> 8);
            digest[4 * i + 3] = (byte)_state[i];
        }
        return digest;
    }

    private void Compress(byte[] data, int offset)
    {
        var w = _w;
        for (var t = 0; t < 16; t++)
            w[t] = (uint)(data[offset + 4 * t] << 24 | data[offset + 4 * t + 1] << 16 | data[offset + 4 * t + 2] << 8 | data[offset + 4 * t + 3]);
        for (var t = 16; t < 64; t++)
        {
            var s0 = Rotr(w[t - 15], 7) ^ Rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
            var s1 = Rotr(w[t - 2], 17) ^ Rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
            w[t] = w[t - 16] + s0 + w[t - 7] + s1;
        }

        uint a = _state[0], b = _state[1], c = _state[2], d = _state[3], e = _state[4], f = _state[5], g = _state[6], h = _state[7];
        for (var t = 0; t < 64; t++)
        {
            var t1 = h + (Rotr(e, 6) ^ Rotr(e, 11) ^ Rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t];
            var t2 = (Rotr(a, 2) ^ Rotr(a, 13) ^ Rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        _state[0] += a;
        _state[1] += b;
        _state[2] += c;
        _state[3] += d;
        _state[4] += e;
        _state[5] += f;
        _state[6] += g;
        _state[7] += h;
    }

    private static uint Rotr(uint x, int n) => (x >> n) | (x << (32 - n));
}
