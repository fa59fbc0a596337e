using System;
using static ImagePs.Formats.ByteFields;

namespace ImagePs.Formats;

/// <summary>
/// VHDX ([MS-VHDX]; little-endian, GUIDs in Microsoft's mixed-endian layout). The region table at
/// 192 KiB (CRC-32C checked, as qemu does) locates the metadata region, whose table locates the
/// Virtual Disk Size, Logical Sector Size and File Parameters items. The virtual size is rounded down
/// to whole logical sectors, as qemu opens it. Finding: a parent (File Parameters HasParent, or a
/// Parent Locator item): a differencing disk reads another file.
/// </summary>
internal sealed class VhdxInspector : IFormatInspector
{
    private const ulong RegionTableOffset = 192 * 1024;
    private const int RegionTableLength = 64 * 1024;
    private const int MetadataTableLength = 64 * 1024;
    private const uint MaxEntries = 2047;
    private const ulong MaxVirtualSize = 64UL << 40;   // 64 TiB, the format's limit

    private static readonly Guid BatRegion = new("2DC27766-F623-4200-9D64-115E9BFD4A08");
    private static readonly Guid MetadataRegion = new("8B7CA206-4790-4B9A-B8FE-575F050F886E");
    private static readonly Guid FileParameters = new("CAA16737-FA36-4D43-B3B6-33F0AA44E76B");
    private static readonly Guid VirtualDiskSize = new("2FA54224-CD1B-4876-B211-5DBED83BF4B8");
    private static readonly Guid Page83Data = new("BECA12AB-B2E6-4523-93EF-C309E000C746");
    private static readonly Guid LogicalSectorSize = new("8141BF1D-A96F-4709-BA47-F233A8FAAB5F");
    private static readonly Guid PhysicalSectorSize = new("CDA348C7-445D-4471-9CC9-E9885251C556");
    private static readonly Guid ParentLocator = new("A8D35F2D-B30B-454D-ABF7-D3D84834AB0C");

    public string Format => ContentFormats.Vhdx;

    public FormatMatch? Probe(HeaderReader reader)
    {
        if (!HasTag(reader.ReadUpTo(0, 8), 0, "vhdxfile")) return null;

        var (metadataOffset, metadataLength) = FindMetadataRegion(reader.Read(RegionTableOffset, RegionTableLength));
        if (metadataLength < MetadataTableLength) throw ImageFormatException.Field("metadata region length", metadataLength);
        var table = reader.Read(metadataOffset, MetadataTableLength);
        if (!HasTag(table, 0, "metadata")) throw ImageFormatException.Missing("metadata table");
        var count = LittleEndian16(table, 10);
        if (count > MaxEntries) throw ImageFormatException.Field("metadata entry count", count);

        ulong? virtualSize = null;
        uint logicalSectorSize = 0;
        uint? fileFlags = null;
        var hasParentLocator = false;
        for (var i = 0; i < count; i++)
        {
            var at = 32 + i * 32;
            var id = ReadGuid(table, at);
            var offset = LittleEndian32(table, at + 16);
            var length = LittleEndian32(table, at + 20);
            var required = (LittleEndian32(table, at + 24) & 4) != 0;
            if (length > 0 && (offset < MetadataTableLength || (ulong)offset + length > metadataLength))
                throw ImageFormatException.Field("metadata item offset", offset);

            if (id == VirtualDiskSize) virtualSize = LittleEndian64(Item(reader, metadataOffset, offset, length, 8), 0);
            else if (id == LogicalSectorSize) logicalSectorSize = LittleEndian32(Item(reader, metadataOffset, offset, length, 4), 0);
            else if (id == FileParameters) fileFlags = LittleEndian32(Item(reader, metadataOffset, offset, length, 8), 4);
            else if (id == ParentLocator) hasParentLocator = true;
            else if (id != Page83Data && id != PhysicalSectorSize && required) throw ImageFormatException.Field("required metadata item", id);
        }

        if (virtualSize is null) throw ImageFormatException.Missing("Virtual Disk Size");
        if (fileFlags is null) throw ImageFormatException.Missing("File Parameters");
        if (logicalSectorSize != 512 && logicalSectorSize != 4096) throw ImageFormatException.Field("logical sector size", logicalSectorSize);
        if (virtualSize > MaxVirtualSize) throw ImageFormatException.Field("virtual disk size", virtualSize);

        // File Parameters flags (MS-VHDX 2.6.2.1): bit 0 LeaveBlocksAllocated (a fixed disk), bit 1 HasParent.
        var hasParent = (fileFlags.Value & 2) != 0 || hasParentLocator;
        var variant = hasParent ? "differencing" : (fileFlags.Value & 1) != 0 ? "fixed" : "dynamic";
        var match = new FormatMatch(Format, (long)(virtualSize.Value / logicalSectorSize * logicalSectorSize), variant);
        if (hasParent) match.With(Checks.VhdxParent, Messages.FindingVhdxParent);
        return match;
    }

    private static (ulong Offset, uint Length) FindMetadataRegion(byte[] table)
    {
        if (LittleEndian32(table, 0) != 0x69676572) throw ImageFormatException.Missing("region table");   // "regi"
        if (Crc32C.Compute(table, 4) != LittleEndian32(table, 4)) throw ImageFormatException.Checksum("region table");
        var count = LittleEndian32(table, 8);
        if (count > MaxEntries) throw ImageFormatException.Field("region entry count", count);
        ulong? offset = null;
        uint length = 0;
        for (var i = 0; i < (int)count; i++)
        {
            var at = 16 + i * 32;
            var id = ReadGuid(table, at);
            var required = (LittleEndian32(table, at + 28) & 1) != 0;
            if (id == MetadataRegion)
            {
                offset = LittleEndian64(table, at + 16);
                length = LittleEndian32(table, at + 24);
            }
            else if (id != BatRegion && required)
            {
                throw ImageFormatException.Field("required region", id);
            }
        }
        if (offset is null) throw ImageFormatException.Missing("metadata region");
        return (offset.Value, length);
    }

    private static byte[] Item(HeaderReader reader, ulong regionOffset, uint offset, uint length, int size)
    {
        if (length < size) throw ImageFormatException.Field("metadata item length", length);
        return reader.Read(regionOffset + offset, size);
    }

    private static Guid ReadGuid(byte[] b, int at)
    {
        var bytes = new byte[16];
        Buffer.BlockCopy(b, at, bytes, 0, 16);
        return new Guid(bytes);
    }
}
