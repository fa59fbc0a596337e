using static ImagePs.Formats.ByteFields;

namespace ImagePs.Formats;

/// <summary>
/// QED (qemu's enhanced disk; little-endian). Recognised so that it can be refused: nothing uses it,
/// Glance bans it, and qemu-img must never be pointed at one. The virtual size is read all the same.
/// </summary>
internal sealed class QedInspector : IFormatInspector
{
    public string Format => ContentFormats.Qed;

    public FormatMatch? Probe(HeaderReader reader)
    {
        if (!HasTag(reader.ReadUpTo(0, 4), 0, "QED\0")) return null;
        var header = reader.Read(0, 64);
        var size = LittleEndian64(header, 48);
        return new FormatMatch(Format, size > long.MaxValue ? null : (long)size).With(Checks.Qed, Messages.FindingQed);
    }
}
