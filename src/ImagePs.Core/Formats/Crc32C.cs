using System;
using System.Numerics;

namespace ImagePs.Formats;

/// <summary>CRC-32C (Castagnoli), the checksum of VHDX headers, region tables and log entries, by the BCL's
/// <see cref="BitOperations.Crc32C(uint, ulong)"/> (hardware instructions where the CPU has them).</summary>
internal static class Crc32C
{
    /// <summary>The checksum of <paramref name="data"/> with the 4 bytes at <paramref name="skipAt"/> counted as zero.</summary>
    public static uint Compute(byte[] data, int skipAt)
    {
        var crc = Update(0xFFFFFFFFu, data, 0, skipAt);
        crc = BitOperations.Crc32C(crc, 0u);   // the skipped field, as zeros
        return ~Update(crc, data, skipAt + 4, data.Length);
    }

    private static uint Update(uint crc, byte[] data, int from, int to)
    {
        var i = from;
        for (; i + 8 <= to; i += 8) crc = BitOperations.Crc32C(crc, System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(i)));
        for (; i < to; i++) crc = BitOperations.Crc32C(crc, data[i]);
        return crc;
    }
}
