using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using ImagePs.Settings;

namespace ImagePs.Events;

/// <summary>
/// The events log beside a SQLite catalog: <c>events.jsonl</c> in the repository, one JSON object
/// per line, appended by every process that changes the repository, and its rotated files
/// <c>events.1.jsonl</c>, <c>events.2.jsonl</c>, ... (a higher number is newer). A writer holds
/// <c>events.lock</c> exclusively (an OS file lock, released if the process dies), ends a line torn
/// off by a crash before it writes, rotates when the limits say so, and writes its whole line with
/// one write call to the file opened for appending, so lines from concurrent processes never
/// interleave or fuse. Readers take no lock and ignore a last line that is still being written.
/// Every file is opened through <see cref="RepositoryFile"/>.
/// </summary>
internal sealed class ImageEventLog : IImageEventLog
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);

    private readonly EventLogLimits _limits;
    private readonly Func<Stream, Stream> _readThrough;
    private readonly Func<DateTime> _utcNow;

    /// <param name="readThrough">Wraps every stream read from (tests count the bytes read).</param>
    public ImageEventLog(string path, string lockPath, EventLogLimits? limits = null,
        Func<Stream, Stream>? readThrough = null, Func<DateTime>? utcNow = null)
    {
        Path = path;
        LockPath = lockPath;
        _limits = limits ?? EventLogLimits.Default;
        _readThrough = readThrough ?? (s => s);
        _utcNow = utcNow ?? (() => DateTime.UtcNow);
    }

    public string Path { get; }
    public string LockPath { get; }
    public string Location => Path;

    /// <summary>Appends one line (a JSON object without line breaks).</summary>
    public void Append(byte[] jsonLine)
    {
        using var held = AcquireLock();
        var (length, torn) = InspectTail();
        if (length > 0 && MustRotate(length, jsonLine.Length + 1))
        {
            Rotate();
            torn = false;
        }

        // A crash mid-append leaves a line without its line break: end it first (in the same write),
        // so this line stays whole and the torn one is reported as unreadable, never fused with it.
        var prefix = torn ? 1 : 0;
        var line = new byte[prefix + jsonLine.Length + 1];
        if (torn) line[0] = (byte)'\n';
        Buffer.BlockCopy(jsonLine, 0, line, prefix, jsonLine.Length);
        line[line.Length - 1] = (byte)'\n';

        using var stream = RepositoryFile.Open(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        stream.Write(line, 0, line.Length);
        stream.Flush();
    }

    public IEnumerable<ImageEvent> Forward(ImageEventQuery query, Action<string> invalid)
    {
        // Oldest first. A rotation while this runs may hide the events of the file it rotates.
        foreach (var file in RotatedFiles().Select(f => f.Path).Concat(new[] { Path }))
        {
            using var stream = OpenForReading(file);
            if (stream is null) continue;
            foreach (var (line, number) in EventLogLines.Forward(stream, stream.Length))
            {
                var item = ImageEventReader.Parse(line, out var error);
                if (error is not null) invalid(string.Format(Messages.EventLineInvalid, file, number, error));
                if (item is not null) yield return item;
            }
        }
    }

    public IEnumerable<ImageEvent> Backward(ImageEventQuery query, Action<string> invalid)
    {
        var current = OpenForReading(Path);
        var files = new List<(string Path, Stream? Stream)> { (Path, current) };
        files.AddRange(RotatedFiles().Reverse().Select(f => (f.Path, (Stream?)null)));
        try
        {
            foreach (var (file, opened) in files)
            {
                using var stream = opened ?? OpenForReading(file);
                if (stream is null) continue;
                foreach (var (line, offset) in EventLogLines.Backward(stream, stream.Length))
                {
                    var item = ImageEventReader.Parse(line, out var error);
                    if (error is not null) invalid(string.Format(Messages.EventLineInvalidAt, file, offset, error));
                    if (item is not null) yield return item;
                }
            }
        }
        finally
        {
            current?.Dispose();
        }
    }

    /// <summary>The rotated files, oldest (lowest number) first.</summary>
    internal IReadOnlyList<(long Number, string Path)> RotatedFiles()
    {
        var folder = System.IO.Path.GetDirectoryName(Path)!;
        var stem = System.IO.Path.GetFileNameWithoutExtension(Path) + ".";
        var extension = System.IO.Path.GetExtension(Path);
        if (!Directory.Exists(folder)) return Array.Empty<(long, string)>();
        var found = new List<(long, string)>();
        foreach (var file in Directory.EnumerateFiles(folder, stem + "*" + extension))
        {
            var name = System.IO.Path.GetFileName(file);
            var middle = name.Substring(stem.Length, name.Length - stem.Length - extension.Length);
            if (middle.Length is > 0 and <= 18 && middle.All(c => c is >= '0' and <= '9') &&
                long.TryParse(middle, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                found.Add((number, file));
        }
        return found.OrderBy(f => f.Item1).ToList();
    }

    private string RotatedPath(long number) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Path)!,
            System.IO.Path.GetFileNameWithoutExtension(Path) + "." + number.ToString(CultureInfo.InvariantCulture) + System.IO.Path.GetExtension(Path));

    private Stream? OpenForReading(string file)
    {
        try
        {
            return _readThrough(RepositoryFile.Open(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The current file's length and whether its last line lacks its line break (0, false: no file).</summary>
    private (long Length, bool Torn) InspectTail()
    {
        using var stream = OpenForReading(Path);
        if (stream is null || stream.Length == 0) return (0, false);
        stream.Seek(-1, SeekOrigin.End);
        return (stream.Length, stream.ReadByte() != '\n');
    }

    private bool MustRotate(long length, int adding)
    {
        if (_limits.MaxBytes > 0 && length + adding > _limits.MaxBytes) return true;
        return _limits.MaxAgeDays > 0 && FirstEventTime() is { } first && first < _utcNow().AddDays(-_limits.MaxAgeDays);
    }

    /// <summary>The time of the current file's first event, if its first line is one.</summary>
    private DateTime? FirstEventTime()
    {
        using var stream = OpenForReading(Path);
        if (stream is null) return null;
        foreach (var (line, _) in EventLogLines.Forward(stream, stream.Length))
            return ImageEventReader.Parse(line, out _)?.Timestamp;
        return null;
    }

    /// <summary>Renames events.jsonl to the next number and deletes rotated files beyond the limits.</summary>
    private void Rotate()
    {
        var rotated = RotatedFiles();
        var next = rotated.Count == 0 ? 1 : rotated[rotated.Count - 1].Number + 1;
        while (File.Exists(RotatedPath(next)) || Directory.Exists(RotatedPath(next))) next++; // a name taken by something else
        File.Move(Path, RotatedPath(next));

        var kept = RotatedFiles().ToList();
        var cutoff = _utcNow().AddDays(-_limits.MaxAgeDays);
        for (var i = 0; i < kept.Count; i++)
        {
            var beyondCount = _limits.MaxFiles > 0 && i < kept.Count - _limits.MaxFiles;
            var tooOld = _limits.MaxAgeDays > 0 && File.GetLastWriteTimeUtc(kept[i].Path) < cutoff;
            if (beyondCount || tooOld) RepositoryFile.Delete(kept[i].Path);
        }
    }

    private FileStream AcquireLock()
    {
        var clock = Stopwatch.StartNew();
        var random = new Random();
        while (true)
        {
            try
            {
                return RepositoryFile.Open(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (clock.Elapsed < LockTimeout)
            {
                Thread.Sleep(random.Next(2, 20));
            }
        }
    }
}
