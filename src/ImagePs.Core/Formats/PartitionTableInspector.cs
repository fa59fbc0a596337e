using static ImagePs.Formats.ByteFields;

namespace ImagePs.Formats;

/// <summary>
/// A whole disk with a partition table: an MBR (0x55AA at byte 510, four entries at 446) or a GPT
/// (whose protective MBR holds one 0xEE entry, with the "EFI PART" header at LBA 1). Reported as
/// <c>gpt</c>, Glance's name for both. A FAT boot sector also ends in 0x55AA; it is told apart as
/// Glance does (two FATs, fixed-disk media byte). Entries that are not a valid partition table (bad
/// boot flags, no partition) mean plain data, not a partitioned disk. qemu reads it as raw.
/// </summary>
internal sealed class PartitionTableInspector : IFormatInspector
{
    public string Format => ContentFormats.Gpt;

    public FormatMatch? Probe(HeaderReader reader)
    {
        if (reader.Length < 512) return null;
        var mbr = reader.Read(0, 512);
        if (mbr[510] != 0x55 || mbr[511] != 0xAA) return null;
        if (mbr[0x10] == 2 && mbr[0x15] == 0xF8) return null;   // a FAT volume boot record

        var partitions = 0;
        var protective = false;
        for (var i = 0; i < 4; i++)
        {
            var entry = 446 + i * 16;
            if (mbr[entry] != 0x00 && mbr[entry] != 0x80) return null;
            if (mbr[entry + 4] == 0) continue;
            partitions++;
            protective |= mbr[entry + 4] == 0xEE;
        }
        if (partitions == 0) return null;

        var isGpt = protective && reader.Contains(512, 8) && HasTag(reader.Read(512, 8), 0, "EFI PART");
        return new FormatMatch(Format, RoundUpToSector(reader.Length), isGpt ? "gpt" : "mbr");
    }
}
