using ImagePs.Domain;
using ImagePs.Events;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Events;

/// <summary>The events of a PostgreSQL catalog: rows of its image_events table, read as the file log is.</summary>
public class PostgreSqlImageEventLogTests
{
    [ServerFact]
    public void Events_go_to_the_catalog_s_table_as_the_file_would_hold_them()
    {
        using var test = new TestRepository(TestBackend.Servers);
        var image = test.Service.CreateImage(new ImageDraft { Name = "in-the-table" });

        Assert.IsType<PostgreSqlImageEventLog>(test.Backend.Events);
        Assert.False(File.Exists(test.Folder.EventsPath));
        Assert.Equal(1L, TestServers.Scalar(test.Schema!, $"SELECT count(*) FROM image_events WHERE image_id = '{image.Id}' AND event_type = 'image.create'"));
        var line = (string)TestServers.Scalar(test.Schema!, "SELECT line FROM image_events")!;
        Assert.StartsWith("{\"message_id\":", line);
        Assert.Contains("\"name\":\"in-the-table\"", line);
        Assert.Equal(image.Id, test.Service.FindEvents(new ImageEventQuery { Last = 1 }).Single().ImageId);
    }

    [ServerFact]
    public void Last_N_pages_back_past_events_the_caller_may_not_read()
    {
        using var test = new TestRepository(TestBackend.Servers);
        var ids = Enumerable.Range(0, 3).Select(i => test.Service.CreateImage(new ImageDraft { Name = "mine-" + i }).Id).ToList();
        var values = string.Join(",", Enumerable.Range(0, 1200).Select(i =>
            $"(now(), 'image.update', '{Guid.NewGuid()}', '{{\"event_type\":\"image.update\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"project_id\":\"other\",\"payload\":{{\"n\":{i}}}}}')"));
        TestServers.Execute($"INSERT INTO {test.Schema}.image_events (occurred_at, event_type, image_id, line) VALUES {values}");

        var reader = new ImageEventReader(test.Backend.Events, test.Observer);
        var mine = reader.Find(new ImageEventQuery { Last = 2 }, e => e.ProjectId != "other").Select(e => e.ImageId).ToList();

        Assert.Equal(new Guid?[] { ids[1], ids[2] }, mine);
        Assert.Equal(1203, reader.Find(new ImageEventQuery(), _ => true).Count());
        Assert.Equal(ids.Select(i => (Guid?)i), reader.Find(new ImageEventQuery { ImageIds = ids }, _ => true).Select(e => e.ImageId));
    }

    [ServerFact]
    public void EventLogMaxAgeDays_deletes_older_rows()
    {
        using var test = new TestRepository(TestBackend.Servers, "{ \"EventLogMaxAgeDays\": 30 }");
        TestServers.Execute($"INSERT INTO {test.Schema}.image_events (occurred_at, event_type, image_id, line) VALUES " +
                            "(now() - interval '31 days', 'image.update', NULL, '{\"event_type\":\"image.update\",\"timestamp\":\"2025-01-01T00:00:00Z\"}')");
        Assert.Single(test.Service.FindEvents(new ImageEventQuery()));

        test.Service.CreateImage(new ImageDraft { Name = "new" });

        Assert.Equal(new[] { "image.create" }, test.Service.FindEvents(new ImageEventQuery()).Select(e => e.EventType));
    }
}
