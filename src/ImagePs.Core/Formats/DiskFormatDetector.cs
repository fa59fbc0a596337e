using System;
using System.Collections.Generic;
using System.IO;

namespace ImagePs.Formats;

/// <summary>
/// Guesses a file's disk format for New-Image: from its content (magic numbers at the offsets the
/// format specifications give), else from its extension, else raw. Reads at most a few dozen KiB.
/// </summary>
internal static class DiskFormatDetector
{
    private const int HeaderBytes = 0x9006;   // covers the ISO 9660 descriptor at 32 KiB + 1 and its alternates
    private const int FooterBytes = 512;      // VHD footer

    private static readonly Dictionary<string, string> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".qcow2"] = "qcow2", [".qcow"] = "qcow2", [".vmdk"] = "vmdk", [".vhd"] = "vhd", [".vpc"] = "vhd",
        [".vhdx"] = "vhdx", [".vdi"] = "vdi", [".iso"] = "iso", [".raw"] = "raw", [".img"] = "raw",
        [".ami"] = "ami", [".ari"] = "ari", [".aki"] = "aki", [".ploop"] = "ploop", [".hds"] = "ploop",
    };

    /// <summary>The Glance disk format for the file at <paramref name="path"/>.</summary>
    public static string Detect(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
        return FromContent(file) ?? FromExtension(path) ?? "raw";
    }

    public static string? FromExtension(string path) =>
        ByExtension.TryGetValue(Path.GetExtension(path), out var format) ? format : null;

    public static string? FromContent(Stream file)
    {
        var header = ReadAt(file, 0, (int)Math.Min(HeaderBytes, file.Length));
        if (Ascii(header, 0, "QFI\xfb")) return "qcow2";
        if (Ascii(header, 0, "KDMV") || Ascii(header, 0, "# Disk DescriptorFile")) return "vmdk";
        if (Ascii(header, 0, "vhdxfile")) return "vhdx";
        if (header.Length >= 0x44 && BitConverter.ToUInt32(header, 0x40) == 0xbeda107f) return "vdi";
        if (Ascii(header, 0, "conectix")) return "vhd";
        if (file.Length >= FooterBytes && Ascii(ReadAt(file, file.Length - FooterBytes, 8), 0, "conectix")) return "vhd";
        if (Ascii(header, 0x8001, "CD001") || Ascii(header, 0x8801, "CD001") || Ascii(header, 0x9001, "CD001")) return "iso";
        return null;
    }

    private static byte[] ReadAt(Stream file, long offset, int count)
    {
        var buffer = new byte[count];
        file.Position = offset;
        var read = 0;
        while (read < count)
        {
            var n = file.Read(buffer, read, count - read);
            if (n == 0) break;
            read += n;
        }
        if (read == count) return buffer;
        Array.Resize(ref buffer, read);
        return buffer;
    }

    private static bool Ascii(byte[] data, int offset, string magic)
    {
        if (data.Length < offset + magic.Length) return false;
        for (var i = 0; i < magic.Length; i++)
        {
            if (data[offset + i] != (byte)magic[i]) return false;
        }
        return true;
    }

    /// <summary>qemu-img's driver name for a Glance disk format.</summary>
    public static string QemuDriver(string diskFormat) => diskFormat switch
    {
        "vhd" => "vpc",
        "ploop" => "parallels",
        "iso" or "ami" or "ari" or "aki" => "raw",
        _ => diskFormat,
    };
}
