using static ImagePs.Formats.ByteFields;

namespace ImagePs.Formats;

/// <summary>
/// VirtualBox VDI, header version 1.1 (little-endian; qemu block/vdi.c documents the layout). The
/// disk size at 0x170 is rounded up to whole sectors, as qemu opens it. Finding: a link or parent
/// UUID (a differencing image that depends on another file).
/// </summary>
internal sealed class VdiInspector : IFormatInspector
{
    private const uint Signature = 0xbeda107f;
    private const uint Version11 = 0x00010001;
    private const int HeaderLength = 512;

    public string Format => ContentFormats.Vdi;

    public FormatMatch? Probe(HeaderReader reader)
    {
        var start = reader.ReadUpTo(0, 0x44);
        if (start.Length < 0x44 || LittleEndian32(start, 0x40) != Signature) return null;

        var header = reader.Read(0, HeaderLength);
        var version = LittleEndian32(header, 0x44);
        if (version != Version11) throw ImageFormatException.Field("version", version.ToString("x8", System.Globalization.CultureInfo.InvariantCulture));
        var diskSize = LittleEndian64(header, 0x170);
        var blockSize = LittleEndian32(header, 0x178);
        var blocks = LittleEndian32(header, 0x180);
        if (diskSize > long.MaxValue - 512) throw ImageFormatException.Field("disk size", diskSize);
        if (diskSize > (ulong)blocks * blockSize) throw ImageFormatException.Field("disk size", diskSize);

        var match = new FormatMatch(Format, RoundUpToSector((long)diskSize), VariantOf(LittleEndian32(header, 0x4c)));
        if (!IsAllZero(header, 0x1a8, 32)) match.With(Checks.VdiParent, Messages.FindingVdiParent);   // uuid_link, uuid_parent
        return match;
    }

    /// <summary>The header's image type (VirtualBox's VDI_IMAGE_TYPE_*), as Get-ImageFileInfo shows it.</summary>
    private static string? VariantOf(uint imageType) => imageType switch
    {
        1 => "dynamic",
        2 => "fixed",
        3 => "undo",
        4 => "differencing",
        _ => null,
    };
}
