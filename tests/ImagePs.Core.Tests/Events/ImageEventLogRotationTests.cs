using ImagePs.Events;
using ImagePs.Settings;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Events;

/// <summary>
/// The events log at scale: -Last reads from the end (bytes counted, not timed), a full read streams,
/// rotation by size and age keeps a bounded number of ordered files, and reads span them all.
/// </summary>
public class ImageEventLogRotationTests : IDisposable
{
    private static readonly CallerContext Alice = new("alice", "web");
    private readonly TestFolder _folder = new();
    private readonly RecordingObserver _observer = new();
    private readonly List<CountingStream> _reads = new();

    public void Dispose() => _folder.Dispose();

    private ImageEventLog Log(EventLogLimits? limits = null, Func<DateTime>? utcNow = null) =>
        new(_folder.File("events.jsonl"), _folder.File("events.lock"), limits, s =>
        {
            var counting = new CountingStream(s);
            _reads.Add(counting);
            return counting;
        }, utcNow);

    private long BytesRead => _reads.Sum(r => r.BytesRead);

    private static byte[] Line(string type, Guid image, DateTime at, int n) =>
        GlanceNotification.Line(type, "INFO", at, image, Alice, new List<KeyValuePair<string, object?>> { new("owner", "web"), new("n", n) });

    /// <summary>A real log of <paramref name="count"/> events (written in one go: the format is the module's own).</summary>
    private (Guid First, Guid Last) WriteBigLog(int count)
    {
        var first = Guid.NewGuid();
        var last = Guid.NewGuid();
        var t0 = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        using var file = new FileStream(_folder.File("events.jsonl"), FileMode.CreateNew);
        for (var i = 0; i < count; i++)
        {
            var id = i == 0 ? first : i == count - 1 ? last : Guid.NewGuid();
            file.Write(Line(i == count - 1 ? "image.delete" : "image.update", id, t0.AddSeconds(i), i));
            file.WriteByte((byte)'\n');
        }
        return (first, last);
    }

    [Fact]
    public void Last_1_on_a_big_log_reads_one_block_from_its_end()
    {
        var (_, last) = WriteBigLog(40_000);
        var size = new FileInfo(_folder.File("events.jsonl")).Length;
        Assert.True(size > 8 << 20, $"the log is {size} bytes");

        var found = new ImageEventReader(Log(), _observer).Find(new ImageEventQuery { Last = 1 }, _ => true).ToList();

        Assert.Equal(("image.delete", (Guid?)last), (found.Single().EventType, found.Single().ImageId));
        Assert.InRange(BytesRead, 1, EventLogLines.BlockSize);
    }

    [Fact]
    public void Last_N_with_a_filter_reads_back_only_as_far_as_the_matches()
    {
        WriteBigLog(40_000);
        var found = new ImageEventReader(Log(), _observer).Find(new ImageEventQuery { Last = 3, EventTypes = new[] { "image.upd*" } }, _ => true).ToList();

        Assert.Equal(new long[] { 39_996, 39_997, 39_998 }, found.Select(e => (long)((IReadOnlyDictionary<string, object?>)e.Payload!)["n"]!));
        Assert.InRange(BytesRead, 1, EventLogLines.BlockSize);
    }

    [Fact]
    public void Reading_the_whole_log_streams_it_the_first_event_costs_one_block()
    {
        var (first, _) = WriteBigLog(40_000);
        using var events = new ImageEventReader(Log(), _observer).Find(new ImageEventQuery(), _ => true).GetEnumerator();

        Assert.True(events.MoveNext());
        Assert.Equal(first, events.Current.ImageId);
        Assert.InRange(BytesRead, 1, EventLogLines.BlockSize);

        var count = 1;
        while (events.MoveNext()) count++;
        Assert.Equal(40_000, count);
        Assert.Equal(new FileInfo(_folder.File("events.jsonl")).Length, BytesRead);
    }

    [Fact]
    public void A_full_log_is_rotated_into_numbered_files_of_which_the_newest_are_kept()
    {
        var one = Line("image.update", Guid.NewGuid(), DateTime.UtcNow, 0).Length + 1;
        var log = Log(new EventLogLimits(maxBytes: 3 * one + 10, maxAgeDays: 0, maxFiles: 2));
        var id = Guid.NewGuid();
        var t0 = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < 14; i++) log.Append(Line("image.update", id, t0.AddSeconds(i), i));

        // 3 events a file: 1 and 2 gone (beyond the 2 kept), 3 (events 6-8) and 4 (9-11) kept, events.jsonl holds 12 and 13.
        Assert.Equal(new long[] { 3, 4 }, log.RotatedFiles().Select(f => f.Number));
        Assert.Equal(new[] { "events.3.jsonl", "events.4.jsonl", "events.jsonl" },
            Directory.GetFiles(_folder.Path, "events*.jsonl").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.All(Directory.GetFiles(_folder.Path, "events*.jsonl"), f => Assert.True(new FileInfo(f).Length <= 3 * one + 10));

        var reader = new ImageEventReader(log, _observer);
        long N(ImageEvent e) => (long)((IReadOnlyDictionary<string, object?>)e.Payload!)["n"]!;
        Assert.Equal(Enumerable.Range(6, 8).Select(i => (long)i), reader.Find(new ImageEventQuery(), _ => true).Select(N));
        Assert.Equal(new long[] { 7, 8, 9, 10, 11, 12, 13 }, reader.Find(new ImageEventQuery { Last = 7 }, _ => true).Select(N));
        Assert.Equal(new long[] { 6, 7, 8, 9 }, reader.Find(new ImageEventQuery { Since = t0.AddSeconds(6), Until = t0.AddSeconds(9) }, _ => true).Select(N));
        Assert.Equal(new long[] { 6, 7 }, reader.Find(new ImageEventQuery { Until = t0.AddSeconds(7), Last = 2 }, _ => true).Select(N));
        Assert.Empty(_observer.Warnings);
    }

    [Fact]
    public void A_log_older_than_the_age_limit_is_rotated_and_old_rotated_files_are_deleted()
    {
        var now = new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        var log = Log(new EventLogLimits(maxBytes: 0, maxAgeDays: 7, maxFiles: 0), () => now);
        var id = Guid.NewGuid();
        log.Append(Line("image.create", id, now, 0));
        log.Append(Line("image.update", id, now.AddDays(3), 1));
        Assert.Empty(log.RotatedFiles()); // the first event is 0 days old for the writer at 'now'

        now = now.AddDays(8);
        log.Append(Line("image.update", id, now, 2));
        var rotated = Assert.Single(log.RotatedFiles());
        Assert.Equal(2, File.ReadAllLines(rotated.Path).Length);

        File.SetLastWriteTimeUtc(rotated.Path, now.AddDays(-1));
        now = now.AddDays(8);
        log.Append(Line("image.update", id, now, 3)); // rotates again; the first rotated file was last written 9 days ago
        Assert.Equal(new long[] { 2 }, log.RotatedFiles().Select(f => f.Number));
        Assert.Equal(new long[] { 2, 3 }, new ImageEventReader(log, _observer).Find(new ImageEventQuery(), _ => true)
            .Select(e => (long)((IReadOnlyDictionary<string, object?>)e.Payload!)["n"]!));
    }

    [Fact]
    public void Reading_from_the_end_skips_a_torn_tail_and_names_a_broken_line_by_its_offset()
    {
        var log = Log();
        var id = Guid.NewGuid();
        log.Append(Line("image.create", id, DateTime.UtcNow, 0));
        var broken = new FileInfo(log.Path).Length;
        File.AppendAllText(log.Path, "not json\n");
        log.Append(Line("image.update", id, DateTime.UtcNow, 1));
        File.AppendAllText(log.Path, "{\"event_type\":\"image.del"); // torn, or still being written

        var events = new ImageEventReader(log, _observer).Find(new ImageEventQuery { Last = 5 }, _ => true).ToList();
        Assert.Equal(new[] { "image.create", "image.update" }, events.Select(e => e.EventType));
        Assert.Contains(_observer.Warnings, w => w.Contains($"at byte {broken}"));
    }

    [Fact]
    public void Rotated_files_are_read_in_number_order_not_name_order()
    {
        var id = Guid.NewGuid();
        var t0 = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.WriteAllBytes(_folder.File("events.9.jsonl"), Line("image.create", id, t0, 9).Append((byte)'\n').ToArray());
        File.WriteAllBytes(_folder.File("events.10.jsonl"), Line("image.update", id, t0, 10).Append((byte)'\n').ToArray());
        File.WriteAllText(_folder.File("events.x.jsonl"), "not a rotated file\n");
        var log = Log();
        log.Append(Line("image.delete", id, t0, 11));

        Assert.Equal(new[] { "image.create", "image.update", "image.delete" },
            new ImageEventReader(log, _observer).Find(new ImageEventQuery(), _ => true).Select(e => e.EventType));
        Assert.Equal(new[] { "image.update", "image.delete" },
            new ImageEventReader(log, _observer).Find(new ImageEventQuery { Last = 2 }, _ => true).Select(e => e.EventType));
    }
}
