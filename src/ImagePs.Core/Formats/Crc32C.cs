namespace ImagePs.Formats;

/// <summary>CRC-32C (Castagnoli), the checksum of VHDX headers, region tables and log entries.</summary>
internal static class Crc32C
{
    private static readonly uint[] Table = BuildTable();

    /// <summary>The checksum of <paramref name="data"/> with the 4 bytes at <paramref name="skipAt"/> counted as zero.</summary>
    public static uint Compute(byte[] data, int skipAt)
    {
        var crc = 0xFFFFFFFFu;
        for (var i = 0; i < data.Length; i++)
        {
            var b = i >= skipAt && i < skipAt + 4 ? (byte)0 : data[i];
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }
        return ~crc;
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
