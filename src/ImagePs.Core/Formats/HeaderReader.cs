using System;
using System.IO;

namespace ImagePs.Formats;

/// <summary>
/// The only way inspectors read image data. Every read is bounded: an offset or a length taken from a
/// header is checked against the file before anything is read or allocated, one read is at most
/// <see cref="MaxReadLength"/> bytes and one inspection at most <see cref="MaxTotalBytes"/>. The first
/// <see cref="HeadLength"/> bytes are read once and shared by every format's probe.
/// </summary>
internal sealed class HeaderReader
{
    /// <summary>The largest single read (a VMDK descriptor is capped at 1 MiB, as qemu does).</summary>
    public const int MaxReadLength = 1 << 20;

    /// <summary>The most bytes all probes together may ask for in one inspection.</summary>
    public const long MaxTotalBytes = 4L << 20;

    /// <summary>Read once up front: every format's magic number lives in the first 64 KiB.</summary>
    public const int HeadLength = 64 * 1024;

    private readonly Stream _stream;
    private readonly byte[] _head;
    private long _served;

    public HeaderReader(Stream stream)
    {
        if (!stream.CanSeek || !stream.CanRead) throw new ArgumentException("The inspector needs a readable, seekable stream.", nameof(stream));
        _stream = stream;
        Length = stream.Length;
        _head = ReadFromStream(0, (int)Math.Min(Length, HeadLength));
    }

    /// <summary>Bytes in the data.</summary>
    public long Length { get; }

    /// <summary>Bytes read from the underlying stream so far.</summary>
    public long BytesReadFromStream { get; private set; }

    /// <summary>Exactly <paramref name="count"/> bytes at <paramref name="offset"/>; a format error when the data is shorter.</summary>
    public byte[] Read(ulong offset, int count)
    {
        if (!Contains(offset, count))
            throw new ImageFormatException(string.Format(System.Globalization.CultureInfo.InvariantCulture, Messages.MalformedTruncated, count, offset));
        return Take((long)offset, count);
    }

    /// <summary>As many bytes as exist at <paramref name="offset"/>, up to <paramref name="count"/> (none past the end).</summary>
    public byte[] ReadUpTo(ulong offset, int count)
    {
        if (offset >= (ulong)Length) return Array.Empty<byte>();
        var available = (int)Math.Min(count, Length - (long)offset);
        return Take((long)offset, available);
    }

    /// <summary>True when the data holds all of [offset, offset + count).</summary>
    public bool Contains(ulong offset, int count) =>
        count >= 0 && offset <= (ulong)Length && (ulong)count <= (ulong)Length - offset;

    private byte[] Take(long offset, int count)
    {
        if (count > MaxReadLength) throw ImageFormatException.Field("read length", count);
        _served += count;
        if (_served > MaxTotalBytes)
            throw new ImageFormatException(string.Format(System.Globalization.CultureInfo.InvariantCulture, Messages.MalformedReadBudget, MaxTotalBytes));
        if (offset + count <= _head.Length)
        {
            var copy = new byte[count];
            Buffer.BlockCopy(_head, (int)offset, copy, 0, count);
            return copy;
        }
        return ReadFromStream(offset, count);
    }

    private byte[] ReadFromStream(long offset, int count)
    {
        var buffer = new byte[count];
        _stream.Position = offset;
        var read = 0;
        while (read < count)
        {
            var n = _stream.Read(buffer, read, count - read);
            if (n == 0) break;
            read += n;
        }
        BytesReadFromStream += read;
        if (read < count)
            throw new ImageFormatException(string.Format(System.Globalization.CultureInfo.InvariantCulture, Messages.MalformedTruncated, count, offset));
        return buffer;
    }
}
