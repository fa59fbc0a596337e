using System.Data.Common;
using ImagePs.Catalog;
using ImagePs.Domain;
using ImagePs.Settings;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Catalog;

/// <summary>
/// The scrubber's queues as the catalog answers them, on both catalogs: PendingDelete images due by
/// their removal time (in SQL, ordered, limited, from the partial index images_pending_delete), and
/// the locations of deleted images whose data the store was not seen to delete.
/// </summary>
public class DeleteQueueTests
{
    private static readonly DateTime T0 = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);
    private readonly ImageFactory _factory = new(new CallerContext("alice", "project-a"));

    /// <summary>An Active image with one location, in the catalog.</summary>
    private Image AddActive(SqlImageRepository catalog, string name)
    {
        var image = _factory.NewImage(new ImageDraft { Name = name, DiskFormat = "raw", ContainerFormat = "bare" });
        catalog.Add(image);
        image.SetStatus(ImageStatus.Saving);
        catalog.Save(image, ImageStatus.Queued);
        image.SetData(100, "md5", "sha512", "sha", new ImageLocation("file:///x/" + image.Id));
        image.SetStatus(ImageStatus.Active);
        catalog.Save(image, ImageStatus.Saving);
        return image;
    }

    private static Guid[] Ids(IEnumerable<Image> images) => images.Select(i => i.Id).ToArray();

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Pending_deletes_due_are_those_removed_at_or_before_the_bound_oldest_first_and_limited(TestBackend backend)
    {
        using var test = new TestCatalog(backend);
        var now = T0;
        var catalog = test.Open(() => now);
        var kept = AddActive(catalog, "kept");
        var removed = new List<Image>();
        foreach (var minutes in new[] { 30, 10, 20, 10 }) // removal times out of creation order, two at once
        {
            var image = AddActive(catalog, "gone-" + minutes);
            now = T0.AddMinutes(minutes);
            Assert.True(image.DelayDelete());
            catalog.Remove(image);
            removed.Add(image);
        }
        var atTen = removed.Where(i => i.PendingDeleteAt == T0.AddMinutes(10)).Select(i => i.Id).OrderBy(id => id.ToString("D"), StringComparer.Ordinal);
        // Ties by id: SQLite compares the id's text, PostgreSQL the uuid's bytes; both the order of the D format.
        var expected = atTen.Concat(new[] { removed[2].Id, removed[0].Id }).ToArray();

        Assert.Equal(expected, Ids(catalog.ListPendingDelete(null, null)));
        Assert.Equal(expected.Take(2), Ids(catalog.ListPendingDelete(null, 2)));
        Assert.Equal(expected.Take(3), Ids(catalog.ListPendingDelete(T0.AddMinutes(20), null))); // at the bound is due
        Assert.Equal(expected.Take(2), Ids(catalog.ListPendingDelete(T0.AddMinutes(20).AddTicks(-10), null)));
        Assert.Equal(expected.Take(1), Ids(catalog.ListPendingDelete(T0.AddMinutes(25), 1)));
        Assert.Empty(catalog.ListPendingDelete(T0.AddMinutes(9), null));
        Assert.DoesNotContain(kept.Id, Ids(catalog.ListPendingDelete(null, null)));
        var first = catalog.ListPendingDelete(null, 1)[0];
        Assert.Equal(ImageStatus.PendingDelete, first.Status);
        Assert.Single(first.Locations); // read whole, with its locations, for the scrub
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_deleted_image_s_data_is_queued_until_its_store_delete_is_confirmed(TestBackend backend)
    {
        using var test = new TestCatalog(backend);
        var catalog = test.Repository;
        var live = AddActive(catalog, "live");
        var a = AddActive(catalog, "a");
        var b = AddActive(catalog, "b");
        foreach (var image in new[] { a, b })
        {
            image.Delete();
            catalog.Remove(image);
        }

        Assert.Equal(new[] { (a.Id, "file:///x/" + a.Id), (b.Id, "file:///x/" + b.Id) }, catalog.ListDataToDelete(10));
        Assert.Equal(new[] { (a.Id, "file:///x/" + a.Id) }, catalog.ListDataToDelete(1));

        catalog.ConfirmDataDeleted(a.Id, "file:///x/" + a.Id);
        catalog.ConfirmDataDeleted(live.Id, "file:///x/" + live.Id); // a live image's location is never touched

        Assert.Equal(new[] { (b.Id, "file:///x/" + b.Id) }, catalog.ListDataToDelete(10));
        Assert.Equal("active", Assert.Single(catalog.Get(live.Id).Locations).Status);
        Assert.Equal("deleted", Assert.Single(catalog.FindDeleted(a.Id)!.Locations).Status);
        Assert.Equal("pending_delete", Assert.Single(catalog.FindDeleted(b.Id)!.Locations).Status);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Both_queues_are_searched_in_their_partial_indexes(TestBackend backend)
    {
        using var test = new TestCatalog(backend);
        var catalog = test.Open();
        for (var i = 0; i < (backend == TestBackend.Embedded ? 500 : 200); i++) AddActive(catalog, "img" + i);
        var gone = AddActive(catalog, "gone");
        Assert.True(gone.DelayDelete());
        catalog.Remove(gone);
        if (backend == TestBackend.Embedded) catalog = test.Open(); // statistics, as a repository open makes them

        var due = Plan(backend, catalog,
            "SELECT id FROM images WHERE status = 'pending_delete' AND deleted = @false AND pending_delete_at <= @before " +
            $"ORDER BY {catalog.Dialect.OrderTerm("pending_delete_at", false, nullable: true)}, id LIMIT 16");
        var data = Plan(backend, catalog,
            "SELECT l.image_id, l.url FROM image_locations l JOIN images i ON i.id = l.image_id " +
            "WHERE l.status = 'pending_delete' AND i.deleted = @true ORDER BY l.id LIMIT 16");

        Assert.True(due.Any(step => step.Contains("images_pending_delete")), string.Join("\n", due));
        Assert.True(data.Any(step => step.Contains("image_locations_to_delete")), string.Join("\n", data));
        var sorts = due.Concat(data).Where(step => step.Contains("TEMP B-TREE") || step.Contains("Sort") || step.Contains("Seq Scan"));
        Assert.Empty(sorts);
    }

    private static List<string> Plan(TestBackend backend, SqlImageRepository catalog, string sql)
    {
        using var connection = catalog.OpenConnection();
        if (backend == TestBackend.Servers)
        {
            using var settings = SqlImageRepository.Command(connection, null, "ANALYZE images; ANALYZE image_locations; SET enable_seqscan = off;");
            settings.ExecuteNonQuery();
        }
        using var command = SqlImageRepository.Command(connection, null, (backend == TestBackend.Embedded ? "EXPLAIN QUERY PLAN " : "EXPLAIN ") + sql);
        SqlImageRepository.AddParameter(command, "@false", catalog.Dialect.Flag(false));
        SqlImageRepository.AddParameter(command, "@true", catalog.Dialect.Flag(true));
        SqlImageRepository.AddParameter(command, "@before", catalog.Dialect.Time(T0));
        using DbDataReader reader = command.ExecuteReader();
        var plan = new List<string>();
        while (reader.Read()) plan.Add(reader.GetString(backend == TestBackend.Embedded ? 3 : 0));
        return plan;
    }
}
