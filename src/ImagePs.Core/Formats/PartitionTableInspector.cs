using System.Collections.Generic;
using System.Globalization;
using static ImagePs.Formats.ByteFields;

namespace ImagePs.Formats;

/// <summary>
/// A whole disk with a partition table: an MBR (0x55AA at byte 510, four entries at 446) or a GPT
/// (whose protective MBR holds one 0xEE entry, with the "EFI PART" header at LBA 1). Reported as
/// <c>gpt</c>, Glance's name for both. A FAT boot sector also ends in 0x55AA; it is told apart as
/// Glance does (two FATs, fixed-disk media byte). Anything else that ends its first sector in 0x55AA
/// is a partition table, and must be a valid one, as oslo.utils' inspector requires (Glance refuses
/// the rest, raw uploads included): every entry's boot flag is 0x00 or 0x80, at least one partition
/// is defined, and a GPT protective entry starts at CHS 0/2/0 and LBA 1 and is the only entry (the
/// first). An invalid table is malformed. qemu reads a partitioned disk as raw.
/// </summary>
internal sealed class PartitionTableInspector : IFormatInspector
{
    private const int FirstEntry = 446;
    private const int EntryLength = 16;
    private const byte GptProtective = 0xEE;

    public string Format => ContentFormats.Gpt;

    public FormatMatch? Probe(HeaderReader reader)
    {
        if (reader.Length < 512) return null;
        var mbr = reader.Read(0, 512);
        if (mbr[510] != 0x55 || mbr[511] != 0xAA) return null;
        if (mbr[0x10] == 2 && mbr[0x15] == 0xF8) return null;   // a FAT volume boot record

        var defined = new List<int>();
        var protective = -1;
        for (var i = 0; i < 4; i++)
        {
            var entry = FirstEntry + i * EntryLength;
            var bootFlag = mbr[entry];
            if (bootFlag != 0x00 && bootFlag != 0x80)
                throw Invalid(Messages.MalformedMbrBootFlag, i, bootFlag.ToString("X2", CultureInfo.InvariantCulture));
            var type = mbr[entry + 4];
            if (type == 0) continue;
            defined.Add(i);
            if (type != GptProtective) continue;
            protective = i;
            var (head, sector, cylinder) = (mbr[entry + 1], mbr[entry + 2], mbr[entry + 3]);
            var startLba = LittleEndian32(mbr, entry + 8);
            if (head != 0 || sector != 2 || cylinder != 0 || startLba != 1)
                throw Invalid(Messages.MalformedMbrProtectiveStart, i, $"{head}/{sector}/{cylinder}", startLba);
        }
        if (defined.Count == 0) throw Invalid(Messages.MalformedMbrNoPartition);
        if (protective >= 0 && (defined.Count != 1 || defined[0] != 0))
            throw Invalid(Messages.MalformedMbrProtectiveNotAlone, string.Join(", ", defined));

        var isGpt = protective >= 0 && reader.Contains(512, 8) && HasTag(reader.Read(512, 8), 0, "EFI PART");
        return new FormatMatch(Format, RoundUpToSector(reader.Length), isGpt ? "gpt" : "mbr");
    }

    private static ImageFormatException Invalid(string format, params object[] args) =>
        new(string.Format(CultureInfo.InvariantCulture, format, args));
}
