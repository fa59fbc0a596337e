using System.Globalization;
using System.Text;
using static ImagePs.Formats.ByteFields;

namespace ImagePs.Formats;

/// <summary>
/// VHD, which qemu calls vpc (Microsoft's Virtual Hard Disk Image Format Specification; big-endian).
/// Dynamic and differencing disks start with a copy of the 512-byte footer; a fixed disk has it only
/// at the end of the file. The virtual size follows qemu's vpc driver exactly: the CHS geometry for
/// creators that size disks by geometry (Virtual PC, qemu without force_size), the footer's current
/// size for the others (Hyper-V, qemu with force_size, disk2vhd, XenServer) and for disks at the
/// maximum geometry. Finding: a differencing disk (it reads a parent file).
/// A fixed disk's footer is the last whole sector, as qemu reads it: in a file whose length is not a
/// multiple of 512 that sector runs past the end and the missing bytes count as zeros.
/// </summary>
internal sealed class VhdInspector : IFormatInspector
{
    private const int FooterLength = 512;
    private const int DynamicHeaderLength = 1024;
    private const uint Fixed = 2;
    private const uint Dynamic = 3;
    private const uint Differencing = 4;
    private const long MaxGeometrySectors = 65535L * 16 * 255;
    private const long MaxSectors = 0xff000000;   // qemu: 2040 GiB
    private static readonly string[] SizeFromFooter = { "win ", "qem2", "d2v ", "CTXS", "tap\0" };

    public string Format => ContentFormats.Vhd;

    public FormatMatch? Probe(HeaderReader reader)
    {
        byte[] footer;
        var atStart = HasTag(reader.ReadUpTo(0, 8), 0, "conectix");
        if (atStart)
        {
            footer = reader.Read(0, FooterLength);
        }
        else
        {
            // qemu reads the last whole sector, zeros past the end of the file included.
            if (reader.Length < FooterLength) return null;
            footer = reader.ReadUpTo((ulong)(RoundUpToSector(reader.Length) - FooterLength), FooterLength);
            if (!HasTag(footer, 0, "conectix")) return null;
            if (footer.Length < FooterLength) System.Array.Resize(ref footer, FooterLength);
        }

        if (Checksum(footer) != BigEndian32(footer, 64)) throw ImageFormatException.Checksum("footer");
        var type = BigEndian32(footer, 60);
        if (type != Fixed && type != Dynamic && type != Differencing) throw ImageFormatException.Field("disk type", type);
        if (!atStart && type != Fixed) throw ImageFormatException.Field("disk type at the end of the file", type);

        var sectors = (long)BigEndian16(footer, 56) * footer[58] * footer[59];
        var creator = Encoding.ASCII.GetString(footer, 28, 4);
        var useGeometry = System.Array.IndexOf(SizeFromFooter, creator) < 0;
        if (!useGeometry || sectors == MaxGeometrySectors)
        {
            var currentSize = BigEndian64(footer, 48);
            if (currentSize / 512 > MaxSectors) throw ImageFormatException.Field("current size", currentSize);
            sectors = (long)(currentSize / 512);
        }
        if (sectors > MaxSectors) throw ImageFormatException.Field("size in sectors", sectors);

        var variant = type == Fixed ? "fixed" : type == Dynamic ? "dynamic" : "differencing";
        var match = new FormatMatch(Format, sectors * 512, variant);
        if (type == Fixed) return match;

        var dynamicHeader = reader.Read(BigEndian64(footer, 16), DynamicHeaderLength);
        CheckDynamicHeader(dynamicHeader, sectors);
        if (type == Differencing) match.With(Checks.VhdDifferencing, string.Format(CultureInfo.InvariantCulture, Messages.FindingVhdDifferencing, ParentName(dynamicHeader)));
        return match;
    }

    /// <summary>The checks qemu makes before it trusts a dynamic disk header.</summary>
    private static void CheckDynamicHeader(byte[] header, long sectors)
    {
        if (!HasTag(header, 0, "cxsparse")) throw ImageFormatException.Missing("dynamic disk header");
        var blockSize = BigEndian32(header, 32);
        var tableEntries = BigEndian32(header, 28);
        if (blockSize < 512 || (blockSize & (blockSize - 1)) != 0) throw ImageFormatException.Field("block size", blockSize);
        if ((ulong)sectors * 512 / blockSize > uint.MaxValue) throw ImageFormatException.Field("block size", blockSize);
        if (tableEntries > (ulong)MaxSectors * 512 / blockSize) throw ImageFormatException.Field("max table entries", tableEntries);
        if ((ulong)tableEntries * blockSize < (ulong)sectors * 512) throw ImageFormatException.Field("max table entries", tableEntries);
    }

    /// <summary>One's complement of the byte sum, with the checksum field itself counted as zero.</summary>
    private static uint Checksum(byte[] footer)
    {
        uint sum = 0;
        for (var i = 0; i < FooterLength; i++)
        {
            if (i < 64 || i > 67) sum += footer[i];
        }
        return ~sum;
    }

    /// <summary>The parent's name (UTF-16, big-endian) for the message.</summary>
    private static string ParentName(byte[] header)
    {
        var name = Encoding.BigEndianUnicode.GetString(header, 64, 512);
        var nul = name.IndexOf('\0');
        if (nul >= 0) name = name.Substring(0, nul);
        return name.Length == 0 ? Messages.NameNotGiven : Printable(name);
    }
}
