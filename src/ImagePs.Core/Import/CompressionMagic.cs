using System;

namespace ImagePs.Import;

/// <summary>
/// Tells a compressed stream by its first bytes, never by its name: gzip (RFC 1952, deflate), zip
/// (a local file header, or the end record of an empty archive), xz, zstd (a frame, or a skippable
/// frame before one) and bzip2 (<c>BZh1</c>..<c>BZh9</c> followed by a block or end-of-stream magic).
/// </summary>
internal static class CompressionMagic
{
    /// <summary>How many first bytes <see cref="Detect"/> looks at.</summary>
    public const int Length = 10;

    public static string? Detect(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 3 && head[0] == 0x1f && head[1] == 0x8b && head[2] == 0x08) return "gzip";
        if (head.Length >= 4 && head[0] == 0x50 && head[1] == 0x4b && ((head[2] == 0x03 && head[3] == 0x04) || (head[2] == 0x05 && head[3] == 0x06))) return "zip";
        if (head.StartsWith(new byte[] { 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00 })) return "xz";
        if (head.StartsWith(new byte[] { 0x28, 0xb5, 0x2f, 0xfd })) return "zstd";
        if (head.Length >= 4 && (head[0] & 0xf0) == 0x50 && head[1] == 0x2a && head[2] == 0x4d && head[3] == 0x18) return "zstd";
        if (head.Length >= 10 && head[0] == (byte)'B' && head[1] == (byte)'Z' && head[2] == (byte)'h' && head[3] >= (byte)'1' && head[3] <= (byte)'9'
            && (head.Slice(4, 6).SequenceEqual(new byte[] { 0x31, 0x41, 0x59, 0x26, 0x53, 0x59 })
                || head.Slice(4, 6).SequenceEqual(new byte[] { 0x17, 0x72, 0x45, 0x38, 0x50, 0x90 }))) return "bzip2";
        return null;
    }
}
