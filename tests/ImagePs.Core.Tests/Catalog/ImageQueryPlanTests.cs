using System.Data.Common;
using ImagePs.Catalog;
using ImagePs.Domain;
using ImagePs.Settings;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Catalog;

/// <summary>
/// Get-Image's filters and orders with -First 100, as the catalog runs them (the real
/// <see cref="ImageQueryFilter"/> SQL, hidden images left out as Get-Image asks): each is answered from an index, never a full scan of the
/// images table (SQLite: EXPLAIN QUERY PLAN with statistics; PostgreSQL: EXPLAIN with sequential
/// scans priced out, as they would be at 100,000 images), and paging gives what LINQ gives.
/// </summary>
public class ImageQueryPlanTests
{
    private static readonly DateTime Midnight = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static IEnumerable<object[]> Queries() => TestBackends.With(new[]
    {
        new object[] { "owner", new ImageQuery { Owners = new[] { "project-a" } } },
        new object[] { "container", new ImageQuery { ContainerFormats = new[] { "ova" } } },
        new object[] { "protected", new ImageQuery { Protected = true } },
        new object[] { "min size", new ImageQuery { MinSize = 1000 } },
        new object[] { "max size", new ImageQuery { MaxSize = 1000, SortBy = ImageSortKey.Size } },
        new object[] { "min virtual size", new ImageQuery { MinVirtualSize = 1000 } },
        new object[] { "max virtual size", new ImageQuery { MaxVirtualSize = 1000, SortBy = ImageSortKey.VirtualSize } },
        new object[] { "created after", new ImageQuery { CreatedAfter = Midnight } },
        new object[] { "created before", new ImageQuery { CreatedBefore = Midnight, Descending = true } },
        new object[] { "updated after", new ImageQuery { UpdatedAfter = Midnight, SortBy = ImageSortKey.UpdatedAt } },
        new object[] { "updated after in listing order", new ImageQuery { UpdatedAfter = Midnight } },
        new object[] { "updated before", new ImageQuery { UpdatedBefore = Midnight, SortBy = ImageSortKey.UpdatedAt } },
        new object[] { "checksum", new ImageQuery { Checksums = new[] { "d41d8cd98f00b204e9800998ecf8427e" } } },
        new object[] { "os hash", new ImageQuery { OsHashValues = new[] { "ab" } } },
        new object[] { "tag wildcard", new ImageQuery { Tags = new[] { "rare*" } } },
        new object[] { "sort by name", new ImageQuery { SortBy = ImageSortKey.Name } },
        new object[] { "sort by name descending", new ImageQuery { SortBy = ImageSortKey.Name, Descending = true } },
        new object[] { "sort by size descending", new ImageQuery { SortBy = ImageSortKey.Size, Descending = true } },
        new object[] { "sort by status", new ImageQuery { SortBy = ImageSortKey.Status } },
        new object[] { "sort by status descending", new ImageQuery { SortBy = ImageSortKey.Status, Descending = true } },
        new object[] { "newest by name", new ImageQuery { Names = new[] { "img42" }, Statuses = new[] { ImageStatus.Queued }, Descending = true } },
        new object[] { "default listing", new ImageQuery() },
        new object[] { "hidden only", new ImageQuery { Hidden = true } },
    });

    private static void Fill(SqlImageRepository catalog, int count)
    {
        var factory = new ImageFactory(new CallerContext("alice", "project-a"));
        for (var i = 0; i < count; i++)
        {
            var draft = new ImageDraft { Name = $"img{i}", DiskFormat = "raw", ContainerFormat = i % 100 == 0 ? "ova" : "bare" };
            if (i % 500 == 0) draft.Tags.Add("rare-" + i);
            draft.Hidden = i % 50 == 7;
            catalog.Add(factory.NewImage(draft));
        }
    }

    [Theory]
    [MemberData(nameof(Queries))]
    public void Each_filter_with_First_100_uses_an_index(TestBackend backend, string what, object imageQuery)
    {
        var query = (ImageQuery)imageQuery;
        using var test = new TestCatalog(backend);
        var catalog = test.Open();
        Fill(catalog, backend == TestBackend.Embedded ? 2000 : 300);
        if (backend == TestBackend.Embedded) catalog = test.Open(); // statistics, as a repository open makes them
        var plan = Plan(backend, catalog, query);

        var text = what + ":\n" + string.Join("\n", plan);
        if (backend == TestBackend.Embedded)
        {
            Assert.DoesNotContain(plan, step => step.StartsWith("SCAN images", StringComparison.Ordinal) && !step.Contains("INDEX"));
            Assert.True(plan.Any(step => step.Contains("INDEX")), text);
        }
        else
        {
            Assert.False(plan.Any(step => step.Contains("Seq Scan on images")), text);
            Assert.True(plan.Any(step => step.Contains("Index")), text);
        }
    }

    /// <summary>
    /// No image in the fill has a checksum, so sqlite_stat1 (NULLs count as one value) says any
    /// checksum matches every row: without a hint SQLite walked 100,000 rows in listing order (200 ms).
    /// </summary>
    [Theory]
    [InlineData("checksum", "images_checksum")]
    [InlineData("os hash", "images_os_hash_value")]
    public void A_hash_lookup_searches_its_own_index_while_images_have_no_hash(string what, string index)
    {
        using var test = new TestCatalog(TestBackend.Embedded);
        Fill(test.Open(), 2000);
        var catalog = test.Open(); // statistics, as a repository open makes them
        var query = what == "checksum"
            ? new ImageQuery { Checksums = new[] { "d41d8cd98f00b204e9800998ecf8427e" } }
            : new ImageQuery { OsHashValues = new[] { "ab" } };

        var plan = Plan(TestBackend.Embedded, catalog, query);

        Assert.True(plan.Any(step => step.Contains("USING INDEX " + index + " ", StringComparison.Ordinal)), what + ":\n" + string.Join("\n", plan));
    }

    /// <summary>The status's rank is a CASE expression: only an index on that very expression gives its order.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Sorting_by_status_walks_its_index_in_order(bool descending)
    {
        using var test = new TestCatalog(TestBackend.Embedded);
        Fill(test.Open(), 2000);
        var catalog = test.Open();

        var plan = Plan(TestBackend.Embedded, catalog, new ImageQuery { SortBy = ImageSortKey.Status, Descending = descending });

        var text = string.Join("\n", plan);
        Assert.True(plan.Any(step => step.Contains("USING INDEX images_status_rank_listing ", StringComparison.Ordinal)), text);
        Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    /// <summary>
    /// -UpdatedAfter in the listing order walks the shown listing, the update time tested on the index
    /// entry itself (images_shown_updated_listing, migration 11), not on each table row.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Updated_after_in_listing_order_tests_the_update_time_in_the_listing_index(TestBackend backend)
    {
        using var test = new TestCatalog(backend);
        var catalog = test.Open();
        DateTime middle;
        if (backend == TestBackend.Embedded)
        {
            Fill(catalog, 2000);
            catalog = test.Open(); // statistics, as a repository open makes them
            // As in bench/Catalog.ps1: the recent updates are the recent images, 30% of them.
            middle = catalog.List(new ImageQuery { Skip = 1400, First = 1 }).Single().UpdatedAt;
        }
        else
        {
            // PostgreSQL prices plans by its statistics: at a few hundred rows any index will do, so
            // 100,000 rows as the benchmark has them, written straight into the table.
            TestServers.Execute($"SET search_path = {test.Schema}; INSERT INTO images (id, name, name_folded, status, visibility, protected, " +
                "min_disk, min_ram, owner, created_at, updated_at) SELECT md5(i::text)::uuid, 'img' || i, 'IMG' || i, 'queued', 'private', " +
                "false, 0, 0, 'project-a', timestamptz '2026-01-01 00:00:00+00' + i * interval '1 s', " +
                "timestamptz '2026-01-01 00:00:00+00' + i * interval '1 s' + interval '1 ms' FROM generate_series(1, 100000) i");
            middle = Midnight.AddSeconds(70000);
        }

        var plan = Plan(backend, catalog, new ImageQuery { UpdatedAfter = middle });

        var text = string.Join("\n", plan);
        Assert.True(plan.Any(step => step.Contains("images_shown_updated_listing", StringComparison.Ordinal)), text);
        if (backend == TestBackend.Servers) Assert.Contains(plan, step => step.Contains("Index Cond") && step.Contains("updated_at"));
        else Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    /// <summary>
    /// SQLite keeps no histograms: counted first, a broad tag wildcard is tested image by image while
    /// walking the listing order (a page within a few rows), a rare one searched in image_tags (a
    /// walk would read the whole listing for it); both give what LINQ gives.
    /// </summary>
    [Fact]
    public void A_tag_wildcard_is_planned_by_the_share_of_images_it_matches()
    {
        using var test = new TestCatalog(TestBackend.Embedded);
        var seed = test.Open();
        var factory = new ImageFactory(new CallerContext("alice", "project-a"));
        for (var i = 0; i < 2000; i++)
        {
            var draft = new ImageDraft { Name = $"img{i}", DiskFormat = "raw", ContainerFormat = "bare" };
            draft.Tags.Add("batch-" + (i % 100)); // batch-4* matches 11 batches of 100: 11%
            if (i % 1000 == 0) draft.Tags.Add("rare-" + i);
            seed.Add(factory.NewImage(draft));
        }
        var catalog = test.Open();

        // A page of 10 at 2,000 images: walking wins from a share of 7%.
        var broad = Plan(TestBackend.Embedded, catalog, new ImageQuery { Tags = new[] { "batch-4*" }, First = 10 });
        var rare = Plan(TestBackend.Embedded, catalog, new ImageQuery { Tags = new[] { "rare*" }, First = 10 });

        Assert.True(broad.Any(step => step.StartsWith("SEARCH images USING INDEX images_shown_updated_listing", StringComparison.Ordinal)), string.Join("\n", broad));
        Assert.Contains(broad, step => step.Contains("CORRELATED", StringComparison.Ordinal));
        Assert.DoesNotContain(broad, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal));
        Assert.True(rare.Any(step => step.Contains("USING INDEX sqlite_autoindex_images_1", StringComparison.Ordinal)), string.Join("\n", rare));
        Assert.Contains(rare, step => step.Contains("image_tags_value", StringComparison.Ordinal));

        var all = catalog.List(ImageQuery.All).ToList();
        foreach (var (pattern, first) in new[] { ("batch-4*", (long?)10), ("batch-4*", null), ("rare*", 10), ("batch-4?", 10) })
        {
            var prefix = pattern.TrimEnd('*', '?');
            var expected = all.Where(i => i.Tags.Any(t => t.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && (!pattern.EndsWith('?') || t.Length == prefix.Length + 1)))
                .Select(i => i.Id).Take(first is long f ? (int)f : int.MaxValue).ToList();
            Assert.Equal(expected, catalog.List(new ImageQuery { Tags = new[] { pattern }, First = first }).Select(i => i.Id).ToList());
        }
    }

    [Theory]
    [InlineData(11000, 100000, 100L, 0L, true)]    // Get-Image -Tag 'batch-4*' -First 100 in bench/Catalog.ps1
    [InlineData(1000, 100000, 100L, 0L, false)]    // 1%: reading the 1,000 and sorting them is cheaper
    [InlineData(11000, 100000, 100L, 2000L, false)] // deep in the listing, the walk is long
    [InlineData(11000, 100000, null, 0L, false)]   // a whole listing never walks
    [InlineData(0, 0, 100L, 0L, false)]
    public void A_tag_pattern_walks_the_listing_when_a_page_is_found_sooner_that_way(long matching, long images, long? first, long skip, bool walks)
    {
        Assert.Equal(walks, new TagShare(matching, images).WalkListing(new ImageQuery { First = first, Skip = skip }));
    }

    /// <summary>The query's plan with -First 100, hidden images left out unless the query asks for them.</summary>
    private static List<string> Plan(TestBackend backend, SqlImageRepository catalog, ImageQuery query)
    {
        query.First ??= 100;
        query.Hidden ??= false; // as Get-Image asks every listing: hidden images left out unless -IncludeHidden
        var filter = catalog.Filter(query);

        var plan = new List<string>();
        using var connection = catalog.OpenConnection();
        if (backend == TestBackend.Servers)
        {
            using var settings = SqlImageRepository.Command(connection, null, "ANALYZE images; ANALYZE image_tags; SET enable_seqscan = off; SET enable_bitmapscan = on;");
            settings.ExecuteNonQuery();
        }
        var explain = backend == TestBackend.Embedded ? "EXPLAIN QUERY PLAN" : "EXPLAIN";
        using var command = SqlImageRepository.Command(connection, null,
            $"{explain} SELECT {SqlImageRepository.ImageColumns} FROM images {filter.Where} {filter.OrderBy} {filter.Page}");
        filter.Bind(command);
        using DbDataReader reader = command.ExecuteReader();
        while (reader.Read()) plan.Add(reader.GetString(backend == TestBackend.Embedded ? 3 : 0));
        return plan;
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Orders_and_pages_as_LINQ_does(TestBackend backend)
    {
        using var test = new TestCatalog(backend);
        var catalog = test.Open();
        var factory = new ImageFactory(new CallerContext("alice", "project-a"));
        foreach (var name in new[] { "b", "A", "c", "a", "B" })
            catalog.Add(factory.NewImage(new ImageDraft { Name = name, DiskFormat = "raw", ContainerFormat = "bare" }));
        var all = catalog.List(ImageQuery.All).ToList();

        var byName = all.OrderBy(i => WildcardPattern.Fold(i.Name!), StringComparer.Ordinal).ThenBy(i => i.CreatedAt).ThenBy(i => i.Id.ToString()).Select(i => i.Id).ToList();
        Assert.Equal(byName, catalog.List(new ImageQuery { SortBy = ImageSortKey.Name }).Select(i => i.Id));
        byName.Reverse();
        Assert.Equal(byName, catalog.List(new ImageQuery { SortBy = ImageSortKey.Name, Descending = true }).Select(i => i.Id));
        Assert.Equal(byName.Skip(1).Take(2), catalog.List(new ImageQuery { SortBy = ImageSortKey.Name, Descending = true, Skip = 1, First = 2 }).Select(i => i.Id));
        Assert.Empty(catalog.List(new ImageQuery { First = 0 }));
        Assert.Empty(catalog.List(new ImageQuery { Skip = 5 }));
        Assert.Equal(5, catalog.Count(new ImageQuery { First = 1, Skip = 3 }));
        Assert.Equal(5, catalog.Count(new ImageQuery { Names = new[] { "?" }, First = 1 }));
        Assert.Equal(2, catalog.List(new ImageQuery { Names = new[] { "[ab]" }, Skip = 2, First = 2 }).Count());
    }
}
