using ImagePs.Catalog;
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
    public void Every_field_survives_a_round_trip()
    {
        var image = _factory.NewImage(new ImageDraft
        {
            Name = "debian 12 ‘bookworm’", DiskFormat = "qcow2", ContainerFormat = "ovf", Visibility = ImageVisibility.Community,
            Protected = true, MinDisk = 10, MinRam = 512, Tags = { "nightly", "Debian" },
            Properties = { ["os_distro"] = "debian", ["hw_disk_bus"] = "virtio" },
        });
        _catalog.Add(image);
        image.SetStatus(ImageStatus.Saving);
        _catalog.Save(image, ImageStatus.Queued);
        image.SetData(1234, "md5hex", "sha512", "sha512hex", new ImageLocation("file:///x/" + image.Id));
        image.SetVirtualSize(1 << 30);
        image.SetStatus(ImageStatus.Active);
        _catalog.Save(image, ImageStatus.Saving);

        var loaded = _catalog.Get(image.Id);

        Assert.Equal(image.Name, loaded.Name);
        Assert.Equal(ImageStatus.Active, loaded.Status);
        Assert.Equal("qcow2", loaded.DiskFormat);
        Assert.Equal("ovf", loaded.ContainerFormat);
        Assert.Equal(ImageVisibility.Community, loaded.Visibility);
        Assert.True(loaded.Protected);
        Assert.Equal(10, loaded.MinDisk);
        Assert.Equal(512, loaded.MinRam);
        Assert.Equal(1234, loaded.Size);
        Assert.Equal(1L << 30, loaded.VirtualSize);
        Assert.Equal("md5hex", loaded.Checksum);
        Assert.Equal("sha512", loaded.OsHashAlgo);
        Assert.Equal("sha512hex", loaded.OsHashValue);
        Assert.Equal("project-a", loaded.Owner);
        Assert.Equal(new[] { "Debian", "nightly" }, loaded.Tags);
        Assert.Equal("virtio", loaded.Properties["hw_disk_bus"]);
        Assert.Equal(2, loaded.Properties.Count);
        Assert.Equal("file:///x/" + image.Id, Assert.Single(loaded.Locations).Url);
        Assert.Equal(image.CreatedAt, loaded.CreatedAt);
        Assert.Equal(DateTimeKind.Utc, loaded.CreatedAt.Kind);
        Assert.True(loaded.UpdatedAt >= loaded.CreatedAt);
    }

    [Fact]
    public void Concurrent_status_change_is_a_conflict_not_a_lost_update()
    {
        var image = Add();
        var first = _catalog.Get(image.Id);
        var second = _catalog.Get(image.Id);

        first.SetStatus(ImageStatus.Saving);
        _catalog.Save(first, ImageStatus.Queued);

        second.SetStatus(ImageStatus.Saving);
        var error = Assert.Throws<ImageConflictException>(() => _catalog.Save(second, ImageStatus.Queued));

        Assert.Equal("ImageConflict", error.ErrorId);
        Assert.Equal(ErrorKind.ResourceBusy, error.Kind);
        Assert.Contains("Saving", error.Message);
        Assert.Equal(ImageStatus.Saving, _catalog.Get(image.Id).Status);
    }

    [Fact]
    public void Save_defaults_to_the_status_the_image_was_read_with()
    {
        var image = Add();
        var stale = _catalog.Get(image.Id);
        var fresh = _catalog.Get(image.Id);
        fresh.SetStatus(ImageStatus.Saving);
        _catalog.Save(fresh);

        stale.SetName("renamed");
        Assert.Throws<ImageConflictException>(() => _catalog.Save(stale));
        Assert.Equal("img", _catalog.Get(image.Id).Name);
    }

    [Fact]
    public void Duplicate_id_is_refused()
    {
        var image = Add();
        var twin = _factory.NewImage(new ImageDraft { Id = image.Id, Name = "twin" });

        var error = Assert.Throws<ImageConflictException>(() => _catalog.Add(twin));

        Assert.Equal("ImageAlreadyExists", error.ErrorId);
        Assert.Equal(ErrorKind.ResourceExists, error.Kind);
        Assert.Equal("img", _catalog.Get(image.Id).Name);
    }

    [Fact]
    public void Deleted_images_are_not_found_and_their_ids_never_reused()
    {
        var image = Add();
        image.Delete();
        _catalog.Remove(image);

        Assert.Equal("ImageNotFound", Assert.Throws<ImageNotFoundException>(() => _catalog.Get(image.Id)).ErrorId);
        Assert.Empty(_catalog.List(ImageQuery.All));
        var reuse = _factory.NewImage(new ImageDraft { Id = image.Id });
        Assert.Equal("ImageAlreadyExists", Assert.Throws<ImageConflictException>(() => _catalog.Add(reuse)).ErrorId);
    }

    [Fact]
    public void Saving_a_deleted_image_is_not_found()
    {
        var image = Add();
        var other = _catalog.Get(image.Id);
        image.Delete();
        _catalog.Remove(image);

        other.SetStatus(ImageStatus.Saving);
        Assert.Throws<ImageNotFoundException>(() => _catalog.Save(other, ImageStatus.Queued));
    }

    [Fact]
    public void Unknown_id_is_not_found()
    {
        var id = Guid.NewGuid();
        var error = Assert.Throws<ImageNotFoundException>(() => _catalog.Get(id));
        Assert.Equal(id, error.Target);
        Assert.Contains(id.ToString(), error.Message);
    }

    [Fact]
    public void Listing_filters_by_name_status_tag_visibility_and_format()
    {
        var debian = Add("Debian-12", "qcow2", ImageVisibility.Public, "nightly", "linux");
        var ubuntu = Add("ubuntu-24", "qcow2", ImageVisibility.Private, "linux");
        var windows = Add("windows", "vhdx", ImageVisibility.Shared, "Nightly");
        ubuntu.SetStatus(ImageStatus.Saving);
        _catalog.Save(ubuntu);

        Guid[] Ids(ImageQuery q) => _catalog.List(q).Select(i => i.Id).ToArray();

        Assert.Equal(new[] { debian.Id }, Ids(new ImageQuery { Names = new[] { "debian*" } }));
        Assert.Equal(new[] { debian.Id, ubuntu.Id }, Ids(new ImageQuery { Names = new[] { "*-[0-9]?" } }));
        Assert.Equal(new[] { windows.Id }, Ids(new ImageQuery { Names = new[] { "WINDOWS" } }));
        Assert.Equal(new[] { ubuntu.Id }, Ids(new ImageQuery { Statuses = new[] { ImageStatus.Saving } }));
        Assert.Equal(new[] { debian.Id, windows.Id }, Ids(new ImageQuery { Tags = new[] { "NIGHTLY" } }));
        Assert.Equal(new[] { debian.Id }, Ids(new ImageQuery { Tags = new[] { "nightly", "linux" } }));
        Assert.Equal(new[] { ubuntu.Id }, Ids(new ImageQuery { Visibilities = new[] { ImageVisibility.Private } }));
        Assert.Equal(new[] { windows.Id }, Ids(new ImageQuery { DiskFormats = new[] { "vhdx" } }));
        Assert.Equal(new[] { debian.Id, ubuntu.Id, windows.Id }, Ids(new ImageQuery { Ids = new[] { windows.Id, ubuntu.Id, debian.Id } }));
        Assert.Empty(Ids(new ImageQuery { Names = new[] { "debian*" }, Statuses = new[] { ImageStatus.Saving } }));
    }

    [Fact]
    public void Sql_wildcards_in_names_are_literal()
    {
        var percent = Add("100%");
        var underscore = Add("a_b");
        Add("1000");
        Add("axb");

        Assert.Equal(new[] { percent.Id }, _catalog.List(new ImageQuery { Names = new[] { "100%" } }).Select(i => i.Id));
        Assert.Equal(new[] { underscore.Id }, _catalog.List(new ImageQuery { Names = new[] { "a_b" } }).Select(i => i.Id));
        Assert.Equal(new[] { percent.Id }, _catalog.List(new ImageQuery { Names = new[] { "*%" } }).Select(i => i.Id));
    }

    [Fact]
    public void Listing_streams_every_image_in_creation_order_across_pages()
    {
        var created = Enumerable.Range(0, 600).Select(i => Add($"img{i:D4}").Id).ToList();

        var listed = _catalog.List(ImageQuery.All).Select(i => i.Id).ToList();

        Assert.Equal(created, listed);
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
}
