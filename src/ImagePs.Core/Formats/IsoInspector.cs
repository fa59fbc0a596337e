using System.Globalization;
using static ImagePs.Formats.ByteFields;

namespace ImagePs.Formats;

/// <summary>
/// ISO 9660 and UDF optical disc images: the volume descriptor set starts at sector 16 (32 KiB, 2 KiB
/// sectors) with <c>CD001</c> descriptors (ISO 9660, ended by the set terminator, type 255) or
/// <c>BEA01</c>/<c>NSR0x</c>/<c>TEA01</c> (UDF, ended by <c>TEA01</c>). Data that ends inside the
/// descriptors, before their terminator, is a cut ISO: malformed. qemu reads an ISO as raw, so the
/// virtual size is the file's size in whole sectors.
/// </summary>
internal sealed class IsoInspector : IFormatInspector
{
    private const int SectorSize = 2048;
    private const int FirstDescriptor = 16;
    private const int MaxDescriptors = 32;

    public string Format => ContentFormats.Iso;

    public FormatMatch? Probe(HeaderReader reader)
    {
        var found = false;
        var started = false;
        for (var sector = FirstDescriptor; sector < FirstDescriptor + MaxDescriptors; sector++)
        {
            var offset = (ulong)sector * SectorSize;
            var descriptor = reader.ReadUpTo(offset, 7);
            var known = descriptor.Length == 7 && IsDescriptor(descriptor);
            if (!known && !started) break;
            if (!reader.Contains(offset, SectorSize))
            {
                if (known || started) throw new ImageFormatException(string.Format(CultureInfo.InvariantCulture, Messages.MalformedIsoCut, reader.Length));
                break;
            }
            if (!known) break;
            started = true;
            if (HasTag(descriptor, 1, "CD001"))
            {
                if (descriptor[0] == 1) found = true;       // primary volume descriptor
                if (descriptor[0] == 255) break;            // set terminator
            }
            else if (HasTag(descriptor, 1, "NSR02") || HasTag(descriptor, 1, "NSR03"))
            {
                found = true;
            }
            else if (HasTag(descriptor, 1, "TEA01"))
            {
                break;                                      // end of the UDF extended area
            }
        }
        return found ? new FormatMatch(Format, RoundUpToSector(reader.Length)) : null;
    }

    private static bool IsDescriptor(byte[] descriptor) =>
        HasTag(descriptor, 1, "CD001") || HasTag(descriptor, 1, "NSR02") || HasTag(descriptor, 1, "NSR03")
        || HasTag(descriptor, 1, "BEA01") || HasTag(descriptor, 1, "TEA01") || HasTag(descriptor, 1, "BOOT2");
}
