using System.Globalization;
using static ImagePs.Formats.ByteFields;

namespace ImagePs.Formats;

/// <summary>
/// qcow2, versions 2 and 3 (qemu docs/interop/qcow2.rst; big-endian). Virtual size is the header's
/// <c>size</c> rounded down to whole sectors, as qemu opens it. Findings: a backing file, an external
/// data file (the incompatible feature bit or the data-file name extension), incompatible feature
/// bits beyond the five qemu defines, and any version other than 2 or 3.
/// </summary>
internal sealed class Qcow2Inspector : IFormatInspector
{
    private const int Version2HeaderLength = 72;
    private const int Version3HeaderLength = 104;
    private const int MinClusterBits = 9;
    private const int MaxClusterBits = 21;
    private const int MaxBackingNameLength = 1023;   // qemu refuses longer backing file names
    private const int ExtensionWindow = 64 * 1024;   // header extensions of real images take a few hundred bytes

    private const ulong IncompatibleDataFile = 1 << 2;
    private const ulong IncompatibleKnown = 0x1F;    // dirty, corrupt, data file, compression type, extended L2
    private const uint ExtensionEnd = 0;
    private const uint ExtensionDataFileName = 0x44415441;

    public string Format => ContentFormats.Qcow2;

    public FormatMatch? Probe(HeaderReader reader)
    {
        if (!HasTag(reader.ReadUpTo(0, 4), 0, "QFI\xfb")) return null;

        var header = reader.Read(0, Version2HeaderLength);
        var version = BigEndian32(header, 4);
        if (version != 2 && version != 3)
            return new FormatMatch(Format, null).With(Checks.UnsupportedVersion, F(Messages.FindingQcowVersion, version));

        var backingOffset = BigEndian64(header, 8);
        var backingSize = BigEndian32(header, 16);
        var clusterBits = BigEndian32(header, 20);
        var size = BigEndian64(header, 24);
        if (clusterBits < MinClusterBits || clusterBits > MaxClusterBits) throw ImageFormatException.Field("cluster_bits", clusterBits);
        if (size > long.MaxValue) throw ImageFormatException.Field("size", size);
        var clusterSize = 1u << (int)clusterBits;

        var match = new FormatMatch(Format, (long)(size / 512 * 512), "v" + version);
        if (backingOffset != 0) match.With(Checks.BackingFile, F(Messages.FindingBackingFile, BackingName(reader, backingOffset, backingSize)));

        var extensionsStart = (uint)Version2HeaderLength;
        if (version == 3)
        {
            header = reader.Read(0, Version3HeaderLength);
            var incompatible = BigEndian64(header, 72);
            var headerLength = BigEndian32(header, 100);
            if (headerLength < Version3HeaderLength || headerLength > clusterSize)
                throw ImageFormatException.Field("header_length", headerLength);
            extensionsStart = headerLength;
            if ((incompatible & IncompatibleDataFile) != 0) match.With(Checks.DataFile, F(Messages.FindingDataFile, Messages.NameNotGiven));
            if ((incompatible & ~IncompatibleKnown) != 0)
                match.With(Checks.UnknownFeatures, F(Messages.FindingUnknownFeatures, (incompatible & ~IncompatibleKnown).ToString("x", CultureInfo.InvariantCulture)));
        }

        var extensionsEnd = backingOffset != 0 && backingOffset < clusterSize ? (uint)backingOffset : clusterSize;
        var dataFileName = ReadExtensions(reader, extensionsStart, extensionsEnd);
        if (dataFileName is not null)
        {
            match.Findings.RemoveAll(f => f.Check == Checks.DataFile);
            match.With(Checks.DataFile, F(Messages.FindingDataFile, dataFileName));
        }
        return match;
    }

    /// <summary>
    /// Walks the header extensions (type, length, data padded to 8 bytes) as qemu does, up to the
    /// first cluster's end, and returns the external data file's name when one is named.
    /// </summary>
    private static string? ReadExtensions(HeaderReader reader, uint start, uint end)
    {
        if (start >= end) return null;
        var window = reader.ReadUpTo(0, (int)System.Math.Min(end, ExtensionWindow));
        var offset = start;
        string? dataFile = null;
        while (offset + 8 <= end)
        {
            if (offset + 8 > window.Length)
            {
                // Past the end of the file qemu reads zeros, which end the list; past the window, refuse.
                if (window.Length < ExtensionWindow) return dataFile;
                throw ImageFormatException.Field("header extensions", ">" + ExtensionWindow + " bytes");
            }
            var type = BigEndian32(window, (int)offset);
            var length = BigEndian32(window, (int)offset + 4);
            if (type == ExtensionEnd) return dataFile;
            var next = (ulong)offset + 8 + ((length + 7UL) & ~7UL);
            if (next > end) throw ImageFormatException.Field("header extension length", length);
            if (type == ExtensionDataFileName)
            {
                if (offset + 8 + length > window.Length) throw ImageFormatException.Field("data file name length", length);
                dataFile = PrintableName(window, (int)offset + 8, (int)length);
            }
            offset = (uint)next;
        }
        return dataFile;
    }

    private static string BackingName(HeaderReader reader, ulong offset, uint size)
    {
        if (size == 0 || size > MaxBackingNameLength || !reader.Contains(offset, (int)size)) return Messages.NameNotGiven;
        var name = PrintableName(reader.Read(offset, (int)size), 0, (int)size);
        return name.Length == 0 ? Messages.NameNotGiven : name;
    }

    private static string F(string format, object arg) => string.Format(CultureInfo.InvariantCulture, format, arg);
}
