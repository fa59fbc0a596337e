using ImagePs.Catalog;
using ImagePs.Domain;
using ImagePs.Settings;
using ImagePs.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit;

namespace ImagePs.Tests.Catalog;

/// <summary>What keeps Get-Image fast and flat at 100k images: index use and streaming.</summary>
public class CatalogScaleTests : IDisposable
{
    private readonly TestFolder _folder = new();
    private readonly SqliteImageRepository _catalog;
    private readonly ImageFactory _factory = new(new CallerContext("alice", "project-a"));

    public CatalogScaleTests()
    {
        _catalog = SqliteImageRepository.Open(_folder.File("catalog.db"));
        // A catalog big enough for the planner to care, with statistics as a repository open makes them.
        for (var i = 0; i < 3000; i++)
        {
            var draft = new ImageDraft { Name = $"img{i}", DiskFormat = "raw", ContainerFormat = "bare" };
            draft.Tags.Add($"batch-{i % 50}");
            if (i % 1000 == 0) draft.Tags.Add("rare");
            draft.Properties["os_distro"] = i % 10 == 0 ? "arch" : "debian";
            _catalog.Add(_factory.NewImage(draft));
        }
        _catalog = SqliteImageRepository.Open(_catalog.Path);
    }

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("name_folded GLOB 'IMG42*'", "images_name")]
    [InlineData("id IN (SELECT t.image_id FROM image_tags t WHERE t.value_folded = 'RARE')", "image_tags_value")]
    [InlineData("status IN ('active')", "images_status_listing")]
    [InlineData("id IN (SELECT p.image_id FROM image_properties p WHERE p.name = 'os_distro' AND p.value = 'arch')", "image_properties_value")]
    [InlineData("1 = 1", "images_listing")]
    public void Each_filter_is_answered_from_its_index(string condition, string index)
    {
        using var connection = new SqliteConnection($"Data Source={_catalog.Path}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"EXPLAIN QUERY PLAN SELECT id FROM images WHERE deleted = 0 AND {condition} ORDER BY created_at, id";
        var plan = new List<string>();
        using (var reader = command.ExecuteReader())
            while (reader.Read()) plan.Add(reader.GetString(3));

        Assert.Contains(plan, step => step.Contains(index));
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN images"));
    }

    [Fact]
    public void Filters_by_property_value()
    {
        var arch = _catalog.List(new ImageQuery { Properties = new Dictionary<string, string> { ["os_distro"] = "arch" } }).ToList();

        Assert.Equal(300, arch.Count);
        Assert.All(arch, i => Assert.Equal("arch", i.Properties["os_distro"]));
        Assert.Empty(_catalog.List(new ImageQuery { Properties = new Dictionary<string, string> { ["os_distro"] = "Arch" } }));
        Assert.Empty(_catalog.List(new ImageQuery { Properties = new Dictionary<string, string> { ["os_distro"] = "arch", ["missing"] = "x" } }));
    }

    [Fact]
    public void A_listing_is_streamed_not_materialised()
    {
        // Allocation on this thread only (the listing runs on it): exact, whatever else runs.
        long Allocated(Action work)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            work();
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        _ = _catalog.List(ImageQuery.All).First(); // compile and warm
        var first = Allocated(() => _catalog.List(ImageQuery.All).First());
        var all = Allocated(() => _catalog.List(ImageQuery.All).Count());

        Assert.True(first * 5 < all, $"first image: {first} bytes, all 3000: {all} bytes");
    }

    [Fact]
    public void A_listing_sees_one_snapshot_while_others_write()
    {
        var seen = new List<Image>();
        var removed = _catalog.List(new ImageQuery { Names = new[] { "img2999" } }).Single();
        foreach (var image in _catalog.List(ImageQuery.All))
        {
            if (seen.Count == 0)
            {
                removed.Delete();
                _catalog.Remove(removed); // another connection, committed while the listing runs
            }
            seen.Add(image);
        }

        Assert.Equal(3000, seen.Count);
        Assert.Equal(2999, _catalog.List(ImageQuery.All).Count());
    }
}
