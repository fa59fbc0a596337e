using System.Buffers.Binary;
using System.Text;

namespace ImagePs.Tests.Support;

/// <summary>
/// LUKS volumes written byte by byte from cryptsetup's on-disk format specification, not by
/// <c>qemu-img create -f luks</c>: that benchmarks its key derivation and fails on a busy machine
/// ("Unable to get accurate CPU usage"). The header is the one qemu-img writes (aes-256 xts-plain64,
/// sha256, eight key slots of 4000 stripes, payload after them), with fixed salts and digest: it
/// opens no key (it holds no key material), but qemu-img info reads it as a LUKS volume.
/// </summary>
internal static class LuksImage
{
    private const int SectorSize = 512;
    private const int KeyBytes = 64;              // aes-256 in xts mode: two 256-bit keys
    private const int Stripes = 4000;
    private const int FirstKeySlotSector = 8;      // 4 KiB: the header, rounded up as qemu aligns it
    private const int KeySlotSectors = 504;        // 64 * 4000 bytes, in sectors, rounded up to 8

    /// <summary>Payload sectors: after the eight key slots' material, as qemu lays them out.</summary>
    public const int PayloadOffsetSectors = FirstKeySlotSector + 8 * KeySlotSectors;

    /// <summary>A LUKS1 volume whose encrypted payload is <paramref name="payloadBytes"/> long (sparse).</summary>
    public static void WriteLuks1(string path, long payloadBytes)
    {
        var header = new byte[592];
        Encoding.ASCII.GetBytes("LUKS").CopyTo(header, 0);
        header[4] = 0xba;
        header[5] = 0xbe;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(6), 1);
        Encoding.ASCII.GetBytes("aes").CopyTo(header, 8);
        Encoding.ASCII.GetBytes("xts-plain64").CopyTo(header, 40);
        Encoding.ASCII.GetBytes("sha256").CopyTo(header, 72);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(104), PayloadOffsetSectors);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(108), KeyBytes);
        header.AsSpan(112, 20).Fill(0x5d);                                        // master key digest
        header.AsSpan(132, 32).Fill(0x5a);                                        // its salt
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(164), 1000);           // its iterations
        Encoding.ASCII.GetBytes("00000000-0000-4000-8000-000000000001").CopyTo(header, 168);
        for (var slot = 0; slot < 8; slot++)
        {
            var at = 208 + slot * 48;
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(at), 0x0000DEAD);                // disabled
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(at + 40), (uint)(FirstKeySlotSector + slot * KeySlotSectors));
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(at + 44), Stripes);
        }
        Write(path, header, (long)PayloadOffsetSectors * SectorSize + payloadBytes);
    }

    /// <summary>
    /// The start of a LUKS2 volume (the binary header: magic, version 2, header size, checksum
    /// algorithm, label and UUID), which is all an inspector that accepts LUKS1 only must look at.
    /// </summary>
    public static void WriteLuks2(string path, long payloadBytes)
    {
        const int headerSize = 16384;
        var header = new byte[4096];
        Encoding.ASCII.GetBytes("LUKS").CopyTo(header, 0);
        header[4] = 0xba;
        header[5] = 0xbe;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(6), 2);
        BinaryPrimitives.WriteUInt64BigEndian(header.AsSpan(8), headerSize);
        BinaryPrimitives.WriteUInt64BigEndian(header.AsSpan(16), 1);               // sequence id
        Encoding.ASCII.GetBytes("sha256").CopyTo(header, 72);
        Encoding.ASCII.GetBytes("00000000-0000-4000-8000-000000000002").CopyTo(header, 168);
        Write(path, header, 2L * headerSize + payloadBytes);
    }

    private static void Write(string path, byte[] header, long length)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        file.Write(header);
        file.SetLength(length);
    }
}
