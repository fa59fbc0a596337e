namespace ImagePs.Formats;

/// <summary>CRC-32C (Castagnoli), the checksum of VHDX headers, region tables and log entries.</summary>
internal static class Crc32C
{
    private static readonly uint[] Table = BuildTable();

    /// <summary>The checksum of <paramref name="data"/> with the 4 bytes at <paramref name="skipAt"/> counted as zero.</summary>
    public static uint Compute(byte[] data, int skipAt)
    {
        var crc = Update(0xFFFFFFFFu, data, 0, skipAt);
        for (var i = 0; i < 4; i++) crc = Table[crc & 0xFF] ^ (crc >> 8);   // the skipped field, as zeros
        return ~Update(crc, data, skipAt + 4, data.Length);
    }

    private static uint Update(uint crc, byte[] data, int from, int to)
    {
        for (var i = from; i < to; i++) crc = Table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0x82F63B78 ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
