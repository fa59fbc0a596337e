using System.Text;
using System.Text.Json;
using ImagePs.Events;
using ImagePs.Settings;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Events;

/// <summary>The events log file: appends that never interleave, reads that skip a half-written line, filters.</summary>
public class ImageEventLogTests : IDisposable
{
    private readonly TestFolder _folder = new();
    private readonly ImageEventLog _log;
    private readonly RecordingObserver _observer = new();

    public ImageEventLogTests()
    {
        _log = new ImageEventLog(_folder.File("events.jsonl"), _folder.File("events.lock"));
    }

    public void Dispose() => _folder.Dispose();

    private static readonly CallerContext Alice = new("alice", "web");

    private void Write(string type, Guid image, DateTime at, CallerContext? caller = null, object? payload = null) =>
        _log.Append(GlanceNotification.Line(type, "INFO", at, image, caller ?? Alice, payload ?? new List<KeyValuePair<string, object?>> { new("owner", "web") }));

    [Fact]
    public void Lines_written_by_many_writers_at_once_are_all_whole()
    {
        const int writers = 8, perWriter = 40;
        var padding = new string('x', 3000); // longer than any buffer a partial write could split at
        Parallel.For(0, writers, new ParallelOptions { MaxDegreeOfParallelism = writers }, w =>
        {
            var log = new ImageEventLog(_log.Path, _log.LockPath); // its own file handles, like another process
            for (var i = 0; i < perWriter; i++)
                log.Append(GlanceNotification.Line("image.update", "INFO", DateTime.UtcNow, Guid.NewGuid(), Alice,
                    new List<KeyValuePair<string, object?>> { new("writer", w.ToString()), new("n", i.ToString()), new("padding", padding) }));
        });

        var lines = File.ReadAllLines(_log.Path);
        Assert.Equal(writers * perWriter, lines.Length);
        var seen = new HashSet<string>();
        foreach (var line in lines)
        {
            using var document = JsonDocument.Parse(line);
            var payload = document.RootElement.GetProperty("payload");
            Assert.True(seen.Add(payload.GetProperty("writer").GetString() + "/" + payload.GetProperty("n").GetString()));
            Assert.Equal(padding, payload.GetProperty("padding").GetString());
        }
    }

    [Fact]
    public void A_line_still_being_written_is_not_read_and_a_broken_line_is_reported()
    {
        var id = Guid.NewGuid();
        Write("image.create", id, DateTime.UtcNow);
        File.AppendAllText(_log.Path, "not json\n");
        Write("image.update", id, DateTime.UtcNow);
        File.AppendAllText(_log.Path, "{\"event_type\":\"image.delete\",\"timest"); // no newline yet

        var events = new ImageEventReader(_log, _observer).Find(new ImageEventQuery(), _ => true);
        Assert.Equal(new[] { "image.create", "image.update" }, events.Select(e => e.EventType));
        Assert.Contains(_observer.Warnings, w => w.Contains("line 2"));
    }

    [Fact]
    public void A_torn_last_line_left_by_a_crash_is_skipped_and_the_next_event_is_not_lost()
    {
        var id = Guid.NewGuid();
        Write("image.create", id, DateTime.UtcNow);
        File.AppendAllText(_log.Path, "{\"event_type\":\"image.update\",\"times"); // the writer died here

        Write("image.delete", id, DateTime.UtcNow);
        Write("image.member.create", id, DateTime.UtcNow);

        var events = new ImageEventReader(_log, _observer).Find(new ImageEventQuery(), _ => true).ToList();
        Assert.Equal(new[] { "image.create", "image.delete", "image.member.create" }, events.Select(e => e.EventType));
        var lines = File.ReadAllLines(_log.Path);
        Assert.Equal(4, lines.Length);
        Assert.Equal("{\"event_type\":\"image.update\",\"times", lines[1]); // terminated, reported, never fused
        Assert.Contains(_observer.Warnings, w => w.Contains("line 2"));
    }

    [Fact]
    public void A_missing_log_has_no_events() =>
        Assert.Empty(new ImageEventReader(_log, _observer).Find(new ImageEventQuery(), _ => true));

    [Fact]
    public void Events_are_filtered_by_image_type_time_and_count()
    {
        var t0 = new DateTime(2025, 1, 1, 10, 0, 0, DateTimeKind.Utc);
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        Write("image.create", a, t0);
        Write("image.create", b, t0.AddMinutes(1));
        Write("image.member.create", a, t0.AddMinutes(2));
        Write("image.update", a, t0.AddMinutes(3));
        Write("image.member.update", b, t0.AddMinutes(4));
        var reader = new ImageEventReader(_log, _observer);
        IEnumerable<(string, Guid?)> Find(ImageEventQuery query) => reader.Find(query, _ => true).Select(e => (e.EventType, e.ImageId));

        Assert.Equal(new (string, Guid?)[] { ("image.create", a), ("image.member.create", a), ("image.update", a) }, Find(new() { ImageIds = new[] { a } }));
        Assert.Equal(new (string, Guid?)[] { ("image.member.create", a), ("image.member.update", b) }, Find(new() { EventTypes = new[] { "IMAGE.MEMBER.*" } }));
        Assert.Equal(new (string, Guid?)[] { ("image.create", b), ("image.member.create", a) }, Find(new() { Since = t0.AddMinutes(1), Until = t0.AddMinutes(2) }));
        Assert.Equal(new (string, Guid?)[] { ("image.update", a), ("image.member.update", b) }, Find(new() { Last = 2 }));
        Assert.Equal(new (string, Guid?)[] { ("image.create", a) }, Find(new() { EventTypes = new[] { "image.create" }, Last = 5, Until = t0.AddSeconds(30) }));
        Assert.Equal(2, reader.Find(new ImageEventQuery(), e => e.ImageId == b).Count());

        var local = t0.AddMinutes(3).ToLocalTime(); // a local time means the same moment
        Assert.Equal(new (string, Guid?)[] { ("image.update", a), ("image.member.update", b) }, Find(new() { Since = local }));
    }

    [Fact]
    public void Each_line_is_oslo_messaging_s_envelope_with_who_and_which_image()
    {
        var id = Guid.NewGuid();
        var at = new DateTime(2025, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc);
        _log.Append(GlanceNotification.Line("image.upload", "ERROR", at, id, new CallerContext("bob", "db"), "Failed to upload image data"));

        var line = File.ReadAllText(_log.Path, Encoding.UTF8);
        Assert.EndsWith("\n", line);
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        Assert.Equal(new[] { "message_id", "publisher_id", "event_type", "priority", "timestamp", "image_id", "user_id", "project_id", "payload" },
            root.EnumerateObject().Select(p => p.Name));
        Assert.True(Guid.TryParse(root.GetProperty("message_id").GetString(), out _));
        Assert.StartsWith("image.", root.GetProperty("publisher_id").GetString());
        Assert.Equal("2025-01-02T03:04:05.6780000Z", root.GetProperty("timestamp").GetString());
        Assert.Equal(id.ToString(), root.GetProperty("image_id").GetString());
        Assert.Equal("Failed to upload image data", root.GetProperty("payload").GetString());

        var read = new ImageEventReader(_log, _observer).Find(new ImageEventQuery(), _ => true).Single();
        Assert.Equal((at, "ERROR", "bob", "db"), (read.Timestamp, read.Priority, read.UserId, read.ProjectId));
    }
}
