using static ImagePs.Formats.ByteFields;

namespace ImagePs.Formats;

/// <summary>
/// LUKS encrypted volumes (cryptsetup's on-disk format; big-endian). LUKS1 only, as qemu and Glance:
/// the virtual size is the file's size in whole sectors less the payload offset (in sectors at byte
/// 104). Finding: any other LUKS version.
/// </summary>
internal sealed class LuksInspector : IFormatInspector
{
    public string Format => ContentFormats.Luks;

    public FormatMatch? Probe(HeaderReader reader)
    {
        var start = reader.ReadUpTo(0, 8);
        if (!HasTag(start, 0, "LUKS\xba\xbe")) return null;
        if (start.Length < 8) throw ImageFormatException.Missing("LUKS version");
        var version = BigEndian16(start, 6);
        if (version != 1)
            return new FormatMatch(Format, null).With(Checks.UnsupportedVersion,
                string.Format(System.Globalization.CultureInfo.InvariantCulture, Messages.FindingLuksVersion, version));

        var header = reader.Read(0, 108);
        var payloadBytes = (long)BigEndian32(header, 104) * 512;
        var size = RoundUpToSector(reader.Length);
        if (payloadBytes > size) throw ImageFormatException.Field("payload offset", payloadBytes / 512);
        return new FormatMatch(Format, size - payloadBytes, "luks1");
    }
}
