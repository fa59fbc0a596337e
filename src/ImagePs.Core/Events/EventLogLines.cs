using System;
using System.Collections.Generic;
using System.IO;

namespace ImagePs.Events;

/// <summary>
/// The lines of one events-log file, read in blocks up to a fixed end: forward (oldest first, memory
/// bounded by one block and one line) or backward from the end (newest first, so <c>-Last</c> reads
/// only the blocks its lines are in). Bytes after the last line break are never returned: a line
/// another process is still writing, or one a crash tore off.
/// </summary>
internal static class EventLogLines
{
    public const int BlockSize = 64 * 1024;

    /// <summary>Complete lines with their 1-based numbers.</summary>
    public static IEnumerable<(byte[] Line, long Number)> Forward(Stream stream, long end)
    {
        var buffer = new byte[BlockSize];
        var pending = new MemoryStream();
        long read = 0;
        long number = 0;
        while (read < end)
        {
            var count = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, end - read));
            if (count == 0) yield break;
            read += count;
            var start = 0;
            for (var i = 0; i < count; i++)
            {
                if (buffer[i] != (byte)'\n') continue;
                pending.Write(buffer, start, i - start);
                number++;
                yield return (pending.ToArray(), number);
                pending.SetLength(0);
                start = i + 1;
            }
            pending.Write(buffer, start, count - start);
        }
    }

    /// <summary>Complete lines, last first, with the byte offset each starts at.</summary>
    public static IEnumerable<(byte[] Line, long Offset)> Backward(Stream stream, long end)
    {
        var position = end;
        var tail = Array.Empty<byte>(); // the part of a line that lies after the block being scanned
        var incomplete = true; // until the first line break: bytes after it are not a whole line
        while (position > 0)
        {
            var size = (int)Math.Min(BlockSize, position);
            position -= size;
            var data = new byte[size + tail.Length];
            stream.Seek(position, SeekOrigin.Begin);
            ReadExactly(stream, data, size);
            Buffer.BlockCopy(tail, 0, data, size, tail.Length);

            var lineEnd = data.Length;
            for (var i = data.Length - 1; i >= 0; i--)
            {
                if (data[i] != (byte)'\n') continue;
                if (!incomplete) yield return (Slice(data, i + 1, lineEnd), position + i + 1);
                incomplete = false;
                lineEnd = i;
            }
            tail = Slice(data, 0, lineEnd);
        }
        if (!incomplete && tail.Length > 0) yield return (tail, 0);
    }

    private static byte[] Slice(byte[] data, int start, int end)
    {
        var slice = new byte[end - start];
        Buffer.BlockCopy(data, start, slice, 0, slice.Length);
        return slice;
    }

    private static void ReadExactly(Stream stream, byte[] buffer, int count)
    {
        var done = 0;
        while (done < count)
        {
            var n = stream.Read(buffer, done, count - done);
            if (n == 0) throw new EndOfStreamException();
            done += n;
        }
    }
}
