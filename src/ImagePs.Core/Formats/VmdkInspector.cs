using System;
using System.Globalization;
using static ImagePs.Formats.ByteFields;

namespace ImagePs.Formats;

/// <summary>
/// VMDK (VMware's Virtual Disk Format 1.1; little-endian). Sparse files (<c>KDMV</c>) carry their
/// capacity in sectors at byte 12; a streamOptimized file whose grain directory is "at the end" keeps
/// the real header in a footer 1 KiB before the end, which qemu then uses instead (it must agree with
/// the header and sit between exact markers, or the file is malformed). Findings: any
/// createType other than monolithicSparse or streamOptimized, extents that name another file or are
/// not SPARSE, a parent (parentFileNameHint), a zero capacity (qemu then opens the descriptor's
/// extents as separate files), a missing or unreadable descriptor, and text descriptor files (all of
/// whose extents are other files: CVE-2022-47951).
/// </summary>
internal sealed class VmdkInspector : IFormatInspector
{
    private const int HeaderLength = 512;
    private const ulong GrainDirectoryAtEnd = ulong.MaxValue;
    private const uint MarkerFooter = 3;
    private const int MaxDescriptorLength = (1 << 20) - 1;   // qemu's cap
    private const int ParentScanLength = 20 * 512;           // what qemu scans for parentFileNameHint at 0x200
    private const int TextProbeLength = 4096;

    public string Format => ContentFormats.Vmdk;

    public FormatMatch? Probe(HeaderReader reader)
    {
        var start = reader.ReadUpTo(0, TextProbeLength);
        if (HasTag(start, 0, "KDMV")) return Sparse(reader);
        if (HasTag(start, 0, "COWD"))
            return new FormatMatch(Format, null, "COWD").With(Checks.VmdkCreateType, F(Messages.FindingVmdkCreateType, "COWD (VMDK version 3)"));
        if (VmdkDescriptor.LooksLikeDescriptor(start)) return DescriptorFile(reader);
        return null;
    }

    private FormatMatch Sparse(HeaderReader reader)
    {
        var header = reader.Read(0, HeaderLength);
        if (LittleEndian64(header, 56) == GrainDirectoryAtEnd) header = Footer(reader, header);

        var version = LittleEndian32(header, 4);
        var capacity = LittleEndian64(header, 12);
        var grainSectors = LittleEndian64(header, 20);
        var descriptorSector = LittleEndian64(header, 28);
        var descriptorSectors = LittleEndian64(header, 36);
        var entriesPerTable = LittleEndian32(header, 44);
        if (version == 0 || version > 3) throw ImageFormatException.Field("version", version);
        if (entriesPerTable == 0 || entriesPerTable > 512) throw ImageFormatException.Field("numGTEsPerGT", entriesPerTable);
        if (grainSectors == 0 || grainSectors > 0x200000) throw ImageFormatException.Field("grainSize", grainSectors);
        if (capacity > long.MaxValue / 512) throw ImageFormatException.Field("capacity", capacity);

        var descriptor = EmbeddedDescriptor(reader, descriptorSector, descriptorSectors);
        var match = new FormatMatch(Format, (long)capacity * 512, descriptor?.CreateType);
        if (capacity == 0) match.With(Checks.VmdkExtent, Messages.FindingVmdkZeroCapacity);
        if (descriptor is null)
        {
            match.With(Checks.VmdkDescriptor, Messages.FindingVmdkNoDescriptor);
        }
        else
        {
            CheckDescriptor(match, descriptor);
        }

        // qemu looks for "parentFileNameHint" anywhere in the 10 KiB at 0x200 (even in a comment),
        // whatever the header says: look there the same way.
        var parent = ParentHint(reader.ReadUpTo(512, ParentScanLength));
        if (descriptor?.ParentFileNameHint is null && parent is not null)
            match.With(Checks.VmdkParent, F(Messages.FindingVmdkParent, parent));
        return match;
    }

    /// <summary>
    /// The header copy a streamOptimized file keeps before its end-of-stream marker, checked as
    /// oslo.utils checks it: the footer marker (size 0, type footer, 496 zero bytes) and the
    /// end-of-stream marker (all zero) are exact, and the footer has the header's signature, version
    /// and descriptor, and does not announce yet another footer.
    /// </summary>
    private static byte[] Footer(HeaderReader reader, byte[] header)
    {
        var end = (ulong)RoundUpToSector(reader.Length);
        if (end < 1536) throw ImageFormatException.Missing("footer");
        var tail = reader.ReadUpTo(end - 1536, 1536);
        if (tail.Length < 1536) Array.Resize(ref tail, 1536);   // qemu reads zeros past the end
        if (!HasTag(tail, 512, "KDMV")) throw ImageFormatException.Missing("footer");
        if (LittleEndian32(tail, 8) != 0 || LittleEndian32(tail, 12) != MarkerFooter || !IsAllZero(tail, 16, 496))
            throw new ImageFormatException(Messages.MalformedVmdkFooterMarker);
        if (!IsAllZero(tail, 1024, 512)) throw new ImageFormatException(Messages.MalformedVmdkEndOfStream);

        var footer = new byte[HeaderLength];
        Buffer.BlockCopy(tail, 512, footer, 0, HeaderLength);
        SameAsHeader("version", LittleEndian32(header, 4), LittleEndian32(footer, 4));
        SameAsHeader("descriptorOffset", LittleEndian64(header, 28), LittleEndian64(footer, 28));
        SameAsHeader("descriptorSize", LittleEndian64(header, 36), LittleEndian64(footer, 36));
        if (LittleEndian64(footer, 56) == GrainDirectoryAtEnd) throw ImageFormatException.Field("footer gdOffset", "at end");
        return footer;
    }

    private static void SameAsHeader(string field, ulong inHeader, ulong inFooter)
    {
        if (inHeader != inFooter)
            throw new ImageFormatException(string.Format(CultureInfo.InvariantCulture, Messages.MalformedVmdkFooterDiffers, field, inFooter, inHeader));
    }

    private static VmdkDescriptor? EmbeddedDescriptor(HeaderReader reader, ulong sector, ulong sectors)
    {
        if (sector == 0 || sectors == 0) return null;
        if (sector != 1) throw ImageFormatException.Field("descriptorOffset", sector);
        var length = sectors > MaxDescriptorLength / 512 ? MaxDescriptorLength : (int)sectors * 512;
        var bytes = reader.ReadUpTo(512, length);   // qemu reads zeros past the end of the file
        return VmdkDescriptor.Parse(bytes, 0, bytes.Length);
    }

    private void CheckDescriptor(FormatMatch match, VmdkDescriptor descriptor)
    {
        if (!descriptor.IsAscii) match.With(Checks.VmdkDescriptor, Messages.FindingVmdkDescriptorNotAscii);
        foreach (var line in descriptor.UnknownLines) match.With(Checks.VmdkDescriptor, F(Messages.FindingVmdkDescriptorLine, line));

        var createType = descriptor.CreateType;
        if (!string.Equals(createType, "monolithicSparse", StringComparison.OrdinalIgnoreCase)
            && !string.Equals(createType, "streamOptimized", StringComparison.OrdinalIgnoreCase))
            match.With(Checks.VmdkCreateType, F(Messages.FindingVmdkCreateType, Printable(createType ?? Messages.NameNotGiven)));

        if (descriptor.Extents.Count == 0) match.With(Checks.VmdkExtent, Messages.FindingVmdkNoExtent);
        foreach (var extent in descriptor.Extents)
        {
            if (!string.Equals(extent.Type, "SPARSE", StringComparison.OrdinalIgnoreCase))
                match.With(Checks.VmdkExtent, F(Messages.FindingVmdkExtentType, Printable(extent.Type)));
            if (extent.FileName is null || extent.FileName.IndexOfAny(new[] { '/', '\\', ':' }) >= 0 || extent.FileName.Trim('.').Length == 0)
                match.With(Checks.VmdkExtent, F(Messages.FindingVmdkExtentFile, Printable(extent.FileName ?? "")));
        }
        if (descriptor.ParentFileNameHint is not null)
            match.With(Checks.VmdkParent, F(Messages.FindingVmdkParent, Printable(descriptor.ParentFileNameHint)));
    }

    /// <summary>A text-only descriptor: whatever it says, its data lives in other files.</summary>
    private FormatMatch DescriptorFile(HeaderReader reader)
    {
        var length = (int)Math.Min(reader.Length, MaxDescriptorLength);
        var descriptor = VmdkDescriptor.Parse(reader.Read(0, length), 0, length);
        ulong sectors = 0;
        const ulong limit = long.MaxValue / 512;
        foreach (var extent in descriptor.Extents) sectors = extent.Sectors > limit - sectors ? limit : sectors + extent.Sectors;
        var match = new FormatMatch(Format, (long)sectors * 512, descriptor.CreateType);
        match.With(Checks.VmdkDescriptor, F(Messages.FindingVmdkDescriptorFile, Printable(descriptor.CreateType ?? Messages.NameNotGiven)));
        foreach (var extent in descriptor.Extents)
        {
            if (extent.FileName is not null) match.With(Checks.VmdkExtent, F(Messages.FindingVmdkExtentFile, Printable(extent.FileName)));
        }
        return match;
    }

    /// <summary>What follows the text "parentFileNameHint" before the first NUL, or null when it is absent.</summary>
    private static string? ParentHint(byte[] area)
    {
        var end = Array.IndexOf(area, (byte)0);
        if (end < 0) end = area.Length;
        var text = System.Text.Encoding.ASCII.GetString(area, 0, end);
        var at = text.IndexOf("parentFileNameHint", StringComparison.Ordinal);
        if (at < 0) return null;
        var rest = text.Substring(at + "parentFileNameHint".Length).TrimStart(' ', '=', '\t');
        var line = rest.Split('\n')[0].Trim().Trim('"');
        return Printable(line);
    }

    private static string F(string format, object arg) => string.Format(CultureInfo.InvariantCulture, format, arg);
}
