using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text.Json;
using System.Threading;

namespace ImagePs.Events;

/// <summary>
/// The events log: <c>events.jsonl</c> in the repository, one JSON object per line, appended by
/// every process that changes the repository. A writer holds <c>events.lock</c> exclusively (an OS
/// file lock, released if the process dies) and writes its whole line with one write call to the
/// file opened for appending, so lines from concurrent processes never interleave. Readers take no
/// lock and ignore a last line that is still being written.
/// </summary>
internal sealed class ImageEventLog
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);

    public ImageEventLog(string path, string lockPath)
    {
        Path = path;
        LockPath = lockPath;
    }

    public string Path { get; }
    public string LockPath { get; }

    /// <summary>Appends one line (a JSON object without line breaks).</summary>
    public void Append(byte[] jsonLine)
    {
        var line = new byte[jsonLine.Length + 1];
        Buffer.BlockCopy(jsonLine, 0, line, 0, jsonLine.Length);
        line[line.Length - 1] = (byte)'\n';

        using var held = AcquireLock();
        using var stream = Settings.RepositoryFile.Open(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
        stream.Write(line, 0, line.Length);
        stream.Flush();
    }

    /// <summary>
    /// Every complete line, in order, parsed; a line that is not a JSON object is reported to
    /// <paramref name="invalidLine"/> (its number and the parser's complaint) and skipped.
    /// </summary>
    public IEnumerable<JsonDocument> ReadAll(Action<int, string> invalidLine)
    {
        FileStream stream;
        try
        {
            stream = Settings.RepositoryFile.Open(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
        }
        catch (FileNotFoundException)
        {
            yield break;
        }
        catch (DirectoryNotFoundException)
        {
            yield break;
        }

        using (stream)
        {
            var end = stream.Length; // what is there now; lines appended meanwhile wait for the next read
            var buffer = new byte[64 * 1024];
            var pending = new MemoryStream();
            long read = 0;
            var number = 0;
            while (read < end)
            {
                var count = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, end - read));
                if (count == 0) break;
                read += count;
                var start = 0;
                for (var i = 0; i < count; i++)
                {
                    if (buffer[i] != (byte)'\n') continue;
                    pending.Write(buffer, start, i - start);
                    number++;
                    var document = Parse(pending.ToArray(), number, invalidLine);
                    pending.SetLength(0);
                    start = i + 1;
                    if (document is not null) yield return document;
                }
                pending.Write(buffer, start, count - start);
            }
            // Whatever is left has no newline yet: a line another process is still writing.
        }
    }

    private static JsonDocument? Parse(byte[] line, int number, Action<int, string> invalidLine)
    {
        if (line.Length == 0 || (line.Length == 1 && line[0] == (byte)'\r')) return null;
        try
        {
            var document = JsonDocument.Parse(line);
            if (document.RootElement.ValueKind == JsonValueKind.Object) return document;
            document.Dispose();
            invalidLine(number, Messages.EventLineNotObject);
        }
        catch (JsonException e)
        {
            invalidLine(number, e.Message);
        }
        return null;
    }

    private FileStream AcquireLock()
    {
        var clock = Stopwatch.StartNew();
        var random = new Random();
        while (true)
        {
            try
            {
                return Settings.RepositoryFile.Open(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);
            }
            catch (IOException) when (clock.Elapsed < LockTimeout)
            {
                Thread.Sleep(random.Next(2, 20));
            }
        }
    }
}
