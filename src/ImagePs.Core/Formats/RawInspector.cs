namespace ImagePs.Formats;

/// <summary>
/// Raw data: what everything is when no other format matches (and how qemu reads ISOs and
/// partitioned disks). The virtual size is the file's size rounded up to whole sectors, as qemu's raw
/// driver reports it.
/// </summary>
internal static class RawInspector
{
    public static FormatMatch Describe(HeaderReader reader) => new(ContentFormats.Raw, ByteFields.RoundUpToSector(reader.Length));

    public static long VirtualSize(long length) => ByteFields.RoundUpToSector(length);
}
