using ImagePs.Catalog;
using ImagePs.Domain;
using ImagePs.Settings;
using ImagePs.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit;

namespace ImagePs.Tests.Catalog;

public class SqliteImageRepositoryTests : IDisposable
{
    private readonly TestFolder _folder = new();
    private readonly SqliteImageRepository _catalog;
    private readonly ImageFactory _factory = new(new CallerContext("alice", "project-a"));

    public SqliteImageRepositoryTests()
    {
        _catalog = SqliteImageRepository.Open(_folder.File("catalog.db"));
    }

    public void Dispose() => _folder.Dispose();

    private Image Add(string? name = "img", string diskFormat = "raw", ImageVisibility visibility = ImageVisibility.Shared, params string[] tags)
    {
        var draft = new ImageDraft { Name = name, DiskFormat = diskFormat, ContainerFormat = "bare", Visibility = visibility };
        foreach (var tag in tags) draft.Tags.Add(tag);
        var image = _factory.NewImage(draft);
        _catalog.Add(image);
        return image;
    }

    [Fact]
    public void Catalog_is_created_in_wal_mode_at_the_current_schema_version()
    {
        using var connection = new SqliteConnection($"Data Source={_catalog.Path}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string)command.ExecuteScalar()!);
        Assert.Equal(SqliteCatalogSchema.CurrentVersion, SqliteCatalogSchema.ReadVersion(connection));
    }

    [Fact]
    public void Reopening_keeps_the_data_and_does_not_migrate_again()
    {
        var image = Add("kept");
        var reopened = SqliteImageRepository.Open(_catalog.Path);
        Assert.Equal("kept", reopened.Get(image.Id).Name);
    }

    [Fact]
    public void A_catalog_from_a_newer_module_is_refused()
    {
        using (var connection = new SqliteConnection($"Data Source={_catalog.Path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA user_version = {SqliteCatalogSchema.CurrentVersion + 1};";
            command.ExecuteNonQuery();
        }

        var error = Assert.Throws<ImagePsException>(() => SqliteImageRepository.Open(_catalog.Path));
        Assert.Equal("CatalogSchemaTooNew", error.ErrorId);
    }

    [Fact]
    public void A_file_that_is_not_a_database_is_a_clear_error()
    {
        var path = _folder.File("not-a-db.db");
        File.WriteAllText(path, new string('x', 4096));

        var error = Assert.Throws<ImagePsException>(() => SqliteImageRepository.Open(path));
        Assert.Equal("CatalogUnavailable", error.ErrorId);
        Assert.Contains(path, error.Message);
    }

    private long Version(long? set = null)
    {
        using var connection = new SqliteConnection($"Data Source={_catalog.Path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = set is null ? "PRAGMA user_version;" : $"PRAGMA user_version = {set};";
        command.ExecuteNonQuery();
        return SqliteCatalogSchema.ReadVersion(connection);
    }

    [Fact]
    public void Opened_read_only_it_reads_and_never_writes()
    {
        var image = Add("kept");
        var reader = SqliteImageRepository.Open(_catalog.Path, readOnly: true);

        Assert.False(reader.IsWritable);
        Assert.Equal("kept", reader.Get(image.Id).Name);
        Assert.ThrowsAny<ImagePsException>(() => reader.Add(_factory.NewImage(new ImageDraft { Name = "new", DiskFormat = "raw", ContainerFormat = "bare" })));
        Assert.Single(_catalog.List(ImageQuery.All));
        reader.ClosePool();
    }

    [Fact]
    public void Opened_read_only_a_catalog_that_needs_a_migration_is_refused_and_left_as_it_is()
    {
        Version(set: SqliteCatalogSchema.CurrentVersion - 1);

        var error = Assert.Throws<ImagePsException>(() => SqliteImageRepository.Open(_catalog.Path, readOnly: true));

        Assert.Equal("CatalogUnavailable", error.ErrorId);
        Assert.Equal(SqliteCatalogSchema.CurrentVersion - 1, Version());
        // Only the version was set back (the schema is today's, so migrating it again would fail):
        // set it forward again and the catalog opens for writing as before.
        Version(set: SqliteCatalogSchema.CurrentVersion);
        Assert.True(SqliteImageRepository.Open(_catalog.Path).IsWritable);
    }

    [Fact]
    public void Opened_read_only_a_missing_catalog_is_not_created()
    {
        var path = _folder.File("absent.db");
        Assert.Equal("CatalogUnavailable", Assert.Throws<ImagePsException>(() => SqliteImageRepository.Open(path, readOnly: true)).ErrorId);
        Assert.False(File.Exists(path));
    }
}
