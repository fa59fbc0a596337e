using System;
using System.Buffers.Binary;
using System.Text;

namespace ImagePs.Formats;

/// <summary>Fixed-width integers and ASCII tags read from header bytes, in either byte order.</summary>
internal static class ByteFields
{
    public static ushort BigEndian16(byte[] b, int at) => BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(at));

    public static uint BigEndian32(byte[] b, int at) => BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(at));

    public static ulong BigEndian64(byte[] b, int at) => BinaryPrimitives.ReadUInt64BigEndian(b.AsSpan(at));

    public static ushort LittleEndian16(byte[] b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(at));

    public static uint LittleEndian32(byte[] b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at));

    public static ulong LittleEndian64(byte[] b, int at) => BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(at));

    /// <summary>True when <paramref name="b"/> holds the bytes of <paramref name="tag"/> (one byte a character, as in "QFI\xfb") at <paramref name="at"/>.</summary>
    public static bool HasTag(byte[] b, int at, string tag)
    {
        if (at < 0 || b.Length < at + tag.Length) return false;
        for (var i = 0; i < tag.Length; i++)
        {
            if (b[at + i] != (byte)tag[i]) return false;
        }
        return true;
    }

    public static bool IsAllZero(byte[] b, int at, int count) => !b.AsSpan(at, count).ContainsAnyExcept((byte)0);

    /// <summary>
    /// A name read from a header, made safe for a message: printable ASCII only, at most 120
    /// characters, cut at the first NUL.
    /// </summary>
    public static string PrintableName(byte[] b, int at, int count)
    {
        var text = new System.Text.StringBuilder();
        for (var i = at; i < at + count && i < b.Length; i++)
        {
            var c = b[i];
            if (c == 0) break;
            text.Append(c >= 0x20 && c < 0x7f ? (char)c : '?');
            if (text.Length == 120) return text.Append("...").ToString();
        }
        return text.ToString();
    }

    /// <summary>Text from a header made safe for a message: control and non-ASCII characters become '?', at most 120 characters.</summary>
    public static string Printable(string text)
    {
        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (chars[i] < 0x20 || chars[i] >= 0x7f) chars[i] = '?';
        }
        var clean = new string(chars);
        return clean.Length <= 120 ? clean : clean.Substring(0, 120) + "...";
    }

    /// <summary>Bytes counted in 512-byte sectors, rounded up (how qemu sizes a raw file).</summary>
    public static long RoundUpToSector(long bytes) => bytes % 512 == 0 ? bytes : bytes - bytes % 512 + 512;
}
