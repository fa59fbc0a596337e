using System.Diagnostics;
using ImagePs.Catalog;
using ImagePs.Domain;
using ImagePs.Settings;
using ImagePs.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit;

namespace ImagePs.Tests.Catalog;

/// <summary>
/// The embedded catalog when it is not alone or not comfortable: another process holding the write
/// lock, a catalog this process may only read (immutable file, read-only mount), a full disk, an
/// empty catalog file beside stored data. Real files, real mounts (the tests run as root).
/// </summary>
public class SqliteCatalogUnderPressureTests : IDisposable
{
    private static readonly TimeSpan ShortWait = TimeSpan.FromSeconds(1);

    private readonly TestFolder _folder = new();
    private readonly ImageFactory _factory = new(new CallerContext("alice", "project-a"));

    public void Dispose() => _folder.Dispose();

    private string NewCatalog(string folder, int images = 1)
    {
        var path = Path.Combine(folder, "catalog.db");
        var catalog = SqliteImageRepository.Open(path);
        for (var i = 0; i < images; i++) catalog.Add(_factory.NewImage(new ImageDraft { Name = "img" + i }));
        SqliteConnection.ClearAllPools();
        return path;
    }

    /// <summary>Another process's write transaction: BEGIN IMMEDIATE, a change, not committed.</summary>
    private static SqliteConnection HoldWriteLock(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "BEGIN IMMEDIATE; UPDATE images SET min_ram = 1;";
        command.ExecuteNonQuery();
        return connection;
    }

    [Fact]
    public void Opening_and_reading_need_no_write_lock_while_another_process_writes()
    {
        var path = NewCatalog(_folder.Path, images: 3);
        using var writer = HoldWriteLock(path);

        var catalog = SqliteImageRepository.Open(path, busyTimeout: ShortWait);
        var images = catalog.List(new ImageQuery()).ToList();

        Assert.Equal(3, images.Count);
        Assert.Equal("img1", catalog.Get(images[1].Id).Name);
        Assert.All(images, i => Assert.Equal(0, i.MinRam)); // the other's change is not committed
    }

    [Fact]
    public void A_writer_that_gives_up_on_the_lock_says_how_long_it_waited_and_that_another_process_holds_it()
    {
        var path = NewCatalog(_folder.Path);
        var catalog = SqliteImageRepository.Open(path, busyTimeout: ShortWait);
        using var writer = HoldWriteLock(path);

        var error = Assert.Throws<ImagePsException>(() => catalog.Add(_factory.NewImage(new ImageDraft { Name = "late" })));

        Assert.Equal("CatalogUnavailable", error.ErrorId);
        Assert.Equal(ErrorKind.ResourceBusy, error.Kind);
        Assert.Contains("another process", error.Message);
        Assert.Contains("waited 1 s", error.Message);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void An_immutable_catalog_file_is_read_and_not_written()
    {
        var path = NewCatalog(_folder.Path, images: 2);
        Run("chattr", "+i", path);
        try
        {
            var catalog = SqliteImageRepository.Open(path);

            Assert.False(catalog.IsWritable);
            Assert.Equal(2, catalog.List(new ImageQuery()).Count());
            var error = Assert.Throws<ImagePsException>(() => catalog.Add(_factory.NewImage(new ImageDraft { Name = "new" })));
            Assert.Equal("CatalogUnavailable", error.ErrorId);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Run("chattr", "-i", path);
        }
    }

    [Fact]
    public void A_catalog_on_a_read_only_mount_is_read()
    {
        var mount = Directory.CreateDirectory(_folder.File("mnt")).FullName;
        Run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mount);
        try
        {
            var path = NewCatalog(mount, images: 2);
            Assert.False(File.Exists(path + "-shm")); // the last connection closed: no -shm to read through
            Run("mount", "-o", "remount,ro", mount);

            var catalog = SqliteImageRepository.Open(path);

            Assert.False(catalog.IsWritable);
            var images = catalog.List(new ImageQuery()).ToList();
            Assert.Equal(new[] { "img0", "img1" }, images.Select(i => i.Name));
            Assert.Equal("img1", catalog.Get(images[1].Id).Name);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Run("umount", mount);
        }
    }

    [Fact]
    public void A_full_disk_under_the_catalog_is_storage_full_naming_the_folder()
    {
        var mount = Directory.CreateDirectory(_folder.File("small")).FullName;
        Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount);
        try
        {
            var catalog = SqliteImageRepository.Open(Path.Combine(mount, "catalog.db"));
            var value = new string('p', 8000);
            ImagePsException? error = null;
            for (var i = 0; i < 1000 && error is null; i++)
            {
                var draft = new ImageDraft { Name = "filler" + i };
                for (var p = 0; p < 4; p++) draft.Properties["p" + p] = value;
                try
                {
                    catalog.Add(_factory.NewImage(draft));
                }
                catch (ImagePsException e)
                {
                    error = e;
                }
            }

            Assert.NotNull(error);
            Assert.Equal("StorageFull", error!.ErrorId);
            Assert.Equal(ErrorKind.WriteError, error.Kind);
            Assert.Contains(mount, error.Message);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Run("umount", mount);
        }
    }

    [Fact]
    public void An_empty_catalog_file_beside_stored_data_is_refused_and_nothing_is_touched()
    {
        var store = Directory.CreateDirectory(_folder.File("images")).FullName;
        var data = _folder.RandomFile("images/" + Guid.NewGuid(), 4096);
        var path = _folder.File("catalog.db");
        File.WriteAllBytes(path, Array.Empty<byte>());

        var error = Assert.Throws<ImagePsException>(() => SqliteImageRepository.Open(path, storeFolder: store));

        Assert.Equal("CatalogUnavailable", error.ErrorId);
        Assert.Contains(path, error.Message);
        Assert.Contains("holds image data", error.Message);
        Assert.Equal(0, new FileInfo(path).Length);
        Assert.Equal(4096, new FileInfo(data).Length);
    }

    [Fact]
    public void An_empty_catalog_file_beside_an_empty_store_becomes_a_new_catalog()
    {
        var store = Directory.CreateDirectory(_folder.File("images")).FullName;
        var path = _folder.File("catalog.db");
        File.WriteAllBytes(path, Array.Empty<byte>());

        var catalog = SqliteImageRepository.Open(path, storeFolder: store);

        Assert.Empty(catalog.List(new ImageQuery()));
        Assert.True(new FileInfo(path).Length > 0);
    }

    [Fact]
    public void The_sqlite_and_postgresql_catalogs_are_at_the_same_schema_version()
    {
        Assert.Equal(SqliteCatalogSchema.CurrentVersion, PostgreSqlCatalogSchema.CurrentVersion);
    }

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)}: {stderr}");
    }
}
