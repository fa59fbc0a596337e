using ImagePs.Catalog;
using ImagePs.Domain;
using ImagePs.Settings;
using ImagePs.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit;

namespace ImagePs.Tests.Catalog;

/// <summary>
/// Hidden images (Glance's os_hidden) in the catalog, SQLite and PostgreSQL alike: stored and changed
/// like any field, left out of a listing that asks for it (Hidden = false, what Get-Image asks unless
/// -IncludeHidden), found by id always; a catalog written before migration 7 shows all its images.
/// </summary>
public class HiddenImageTests
{
    private readonly ImageFactory _factory = new(new CallerContext("alice", "project-a"));

    private Image Add(SqlImageRepository catalog, string name, bool hidden)
    {
        var image = _factory.NewImage(new ImageDraft { Name = name, DiskFormat = "raw", ContainerFormat = "bare", Hidden = hidden });
        catalog.Add(image);
        return image;
    }

    private static Guid[] Ids(IEnumerable<Image> images) => images.Select(i => i.Id).ToArray();

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Hidden_survives_a_round_trip_and_a_change(TestBackend backend)
    {
        using var test = new TestCatalog(backend);
        var catalog = test.Repository;
        var hidden = Add(catalog, "old", hidden: true);
        var shown = Add(catalog, "new", hidden: false);

        Assert.True(test.Open().Get(hidden.Id).Hidden);
        Assert.False(test.Open().Get(shown.Id).Hidden);

        var loaded = catalog.Get(shown.Id);
        new ImageChanges { Hidden = true }.ApplyTo(loaded);
        catalog.Save(loaded);
        var unhidden = catalog.Get(hidden.Id);
        new ImageChanges { Hidden = false }.ApplyTo(unhidden);
        catalog.Save(unhidden);

        Assert.True(test.Open().Get(shown.Id).Hidden);
        Assert.False(test.Open().Get(hidden.Id).Hidden);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Listings_leave_hidden_images_out_only_when_asked_and_an_id_always_finds_them(TestBackend backend)
    {
        using var test = new TestCatalog(backend);
        var catalog = test.Repository;
        var web1 = Add(catalog, "web-1", hidden: false);
        var web2 = Add(catalog, "web-2", hidden: true);
        var web3 = Add(catalog, "web-3", hidden: false);
        var db = Add(catalog, "db", hidden: true);

        Assert.Equal(Ids(new[] { web1, web3 }), Ids(catalog.List(new ImageQuery { Hidden = false })));
        Assert.Equal(Ids(new[] { web2, db }), Ids(catalog.List(new ImageQuery { Hidden = true })));
        Assert.Equal(Ids(new[] { web1, web2, web3, db }), Ids(catalog.List(ImageQuery.All)));
        Assert.Equal(2, catalog.Count(new ImageQuery { Hidden = false, First = 1 }));
        Assert.Equal(4, catalog.Count(ImageQuery.All));

        // Paging and other filters work over the shown images only.
        Assert.Equal(Ids(new[] { web3 }), Ids(catalog.List(new ImageQuery { Hidden = false, Skip = 1, First = 1 })));
        Assert.Equal(Ids(new[] { web1, web3 }), Ids(catalog.List(new ImageQuery { Hidden = false, Names = new[] { "web-*" } })));
        Assert.Equal(Ids(new[] { web3, web1 }), Ids(catalog.List(new ImageQuery { Hidden = false, Names = new[] { "web-?" }, Descending = true })));

        // An exact name is a listing filter (Glance's ?name=): the hidden image is not listed, by id it is found.
        Assert.Empty(catalog.List(new ImageQuery { Hidden = false, Names = new[] { "web-2" } }));
        Assert.Equal(web2.Id, Assert.Single(catalog.List(new ImageQuery { Names = new[] { "web-2" } })).Id);
        Assert.True(catalog.Get(web2.Id).Hidden);
        Assert.Equal("db", catalog.Get(db.Id).Name);
    }

    [Fact]
    public void A_sqlite_catalog_of_schema_6_is_migrated_with_every_image_shown()
    {
        using var test = new TestCatalog(TestBackend.Embedded);
        var image = Add(test.Repository, "old", hidden: true);
        using (var connection = new SqliteConnection("Data Source=" + test.Location))
        {
            connection.Open();
            using var downgrade = connection.CreateCommand();
            downgrade.CommandText = "DROP INDEX images_pending_delete; DROP INDEX image_locations_to_delete; ALTER TABLE images DROP COLUMN status_before_delete; ALTER TABLE images DROP COLUMN pending_delete_at; " +
                "DROP INDEX images_status_rank_listing; DROP INDEX images_shown_updated_listing; ALTER TABLE images DROP COLUMN hidden; PRAGMA user_version = 6;";
            downgrade.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();

        var reopened = test.Open();

        using (var connection = (SqliteConnection)reopened.OpenConnection())
            Assert.Equal(SqliteCatalogSchema.CurrentVersion, SqliteCatalogSchema.ReadVersion(connection));
        Assert.False(reopened.Get(image.Id).Hidden);
        Assert.Equal(image.Id, Assert.Single(reopened.List(new ImageQuery { Hidden = false })).Id);
        Assert.Equal(SqliteCatalogSchema.CurrentVersion, PostgreSqlCatalogSchema.CurrentVersion);
    }

    [ServerFact]
    public void A_postgresql_catalog_of_schema_6_is_migrated_with_every_image_shown()
    {
        using var test = new TestCatalog(TestBackend.Servers);
        var image = Add(test.Repository, "old", hidden: true);
        TestServers.Execute($"SET search_path = {test.Schema}; ALTER TABLE images DROP COLUMN status_before_delete; ALTER TABLE images DROP COLUMN pending_delete_at; " +
            "ALTER TABLE images DROP COLUMN hidden; UPDATE imageps_schema SET version = 6");

        var reopened = test.Open();

        Assert.Equal(PostgreSqlCatalogSchema.CurrentVersion, Convert.ToInt64(TestServers.Scalar(test.Schema!, "SELECT version FROM imageps_schema")));
        Assert.Equal(false, TestServers.Scalar(test.Schema!, "SELECT hidden FROM images"));
        Assert.False(reopened.Get(image.Id).Hidden);
        Assert.Equal(image.Id, Assert.Single(reopened.List(new ImageQuery { Hidden = false })).Id);
    }
}
