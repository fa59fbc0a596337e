using System.Buffers.Binary;

namespace ImagePs.Tests.Support;

/// <summary>Byte-level edits of real image files, to make the hostile variants the tests need.</summary>
internal static class ImageFile
{
    public static void Patch(string path, long offset, ReadOnlySpan<byte> bytes)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        file.Write(bytes);
    }

    public static void PatchBigEndian32(string path, long offset, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        Patch(path, offset, b);
    }

    public static void PatchBigEndian64(string path, long offset, ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(b, value);
        Patch(path, offset, b);
    }

    public static void PatchLittleEndian32(string path, long offset, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        Patch(path, offset, b);
    }

    public static void PatchLittleEndian64(string path, long offset, ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        Patch(path, offset, b);
    }

    public static byte[] Read(string path, long offset, int count)
    {
        using var file = File.OpenRead(path);
        file.Position = offset;
        var buffer = new byte[count];
        file.ReadExactly(buffer);
        return buffer;
    }

    public static void Truncate(string path, long length)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.SetLength(length);
    }

    /// <summary>Replaces a sparse VMDK's embedded descriptor (at 0x200, NUL-padded to its sectors).</summary>
    public static void ReplaceVmdkDescriptor(string path, string text)
    {
        var sectors = BinaryPrimitives.ReadUInt64LittleEndian(Read(path, 36, 8));
        var region = new byte[sectors * 512];
        var bytes = System.Text.Encoding.ASCII.GetBytes(text);
        if (bytes.Length > region.Length) throw new ArgumentException("descriptor too long for the file");
        bytes.CopyTo(region, 0);
        Patch(path, 512, region);
    }

    /// <summary>A VHD footer (big-endian, checksummed), for fixed disks written by hand.</summary>
    public static byte[] VhdFooter(ulong currentSize, string creator, ushort cylinders, byte heads, byte sectorsPerTrack, uint diskType = 2)
    {
        var f = new byte[512];
        "conectix"u8.CopyTo(f);
        BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(8), 2);             // features
        BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(12), 0x00010000);   // version
        BinaryPrimitives.WriteUInt64BigEndian(f.AsSpan(16), ulong.MaxValue);
        System.Text.Encoding.ASCII.GetBytes(creator).CopyTo(f, 28);
        BinaryPrimitives.WriteUInt64BigEndian(f.AsSpan(40), currentSize);   // original size
        BinaryPrimitives.WriteUInt64BigEndian(f.AsSpan(48), currentSize);   // current size
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(56), cylinders);
        f[58] = heads;
        f[59] = sectorsPerTrack;
        BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(60), diskType);
        SetVhdChecksum(f);
        return f;
    }

    public static void SetVhdChecksum(byte[] footer)
    {
        footer[64] = footer[65] = footer[66] = footer[67] = 0;
        uint sum = 0;
        foreach (var b in footer) sum += b;
        BinaryPrimitives.WriteUInt32BigEndian(footer.AsSpan(64), ~sum);
    }

    /// <summary>Rewrites the footer at <paramref name="offset"/> with <paramref name="edit"/> applied and a valid checksum.</summary>
    public static void EditVhdFooter(string path, long offset, Action<byte[]> edit)
    {
        var footer = Read(path, offset, 512);
        edit(footer);
        SetVhdChecksum(footer);
        Patch(path, offset, footer);
    }

    /// <summary>Where a VHDX metadata item's data is: found through its GUID in the metadata table.</summary>
    public static long VhdxMetadataItemOffset(string path, Guid item)
    {
        var head = Read(path, 0, (int)Math.Min(new FileInfo(path).Length, 4 << 20));
        var needle = item.ToByteArray();
        for (var at = 256 * 1024; at + 32 <= head.Length; at += 32)
        {
            if (!head.AsSpan(at, 16).SequenceEqual(needle)) continue;
            var tableStart = at & ~0xFFFF;
            if (!head.AsSpan(tableStart, 8).SequenceEqual("metadata"u8)) continue;
            return tableStart + BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(at + 16));
        }
        throw new InvalidOperationException($"metadata item {item} not found");
    }
}
