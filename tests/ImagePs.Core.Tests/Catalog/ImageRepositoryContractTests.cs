using ImagePs.Catalog;
using ImagePs.Domain;
using ImagePs.Settings;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Catalog;

/// <summary>
/// What every catalog must do, run against the SQLite and the PostgreSQL catalog alike: fields,
/// compare-and-swap saves, ids never reused, listing filters and order, wildcard semantics.
/// </summary>
public class ImageRepositoryContractTests
{
    private readonly ImageFactory _factory = new(new CallerContext("alice", "project-a"));
    private SqlImageRepository _catalog = null!;

    private TestCatalog Use(TestBackend backend)
    {
        var test = new TestCatalog(backend);
        _catalog = test.Repository;
        return test;
    }

    private Image Add(string? name = "img", string diskFormat = "raw", ImageVisibility visibility = ImageVisibility.Shared, params string[] tags)
    {
        var draft = new ImageDraft { Name = name, DiskFormat = diskFormat, ContainerFormat = "bare", Visibility = visibility };
        foreach (var tag in tags) draft.Tags.Add(tag);
        var image = _factory.NewImage(draft);
        _catalog.Add(image);
        return image;
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Every_field_survives_a_round_trip(TestBackend backend)
    {
        using var test = Use(backend);
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

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Concurrent_status_change_is_a_conflict_not_a_lost_update(TestBackend backend)
    {
        using var test = Use(backend);
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

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Save_defaults_to_the_status_the_image_was_read_with(TestBackend backend)
    {
        using var test = Use(backend);
        var image = Add();
        var stale = _catalog.Get(image.Id);
        var fresh = _catalog.Get(image.Id);
        fresh.SetStatus(ImageStatus.Saving);
        _catalog.Save(fresh);

        stale.SetName("renamed");
        Assert.Throws<ImageConflictException>(() => _catalog.Save(stale));
        Assert.Equal("img", _catalog.Get(image.Id).Name);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_save_from_a_stale_read_in_the_same_status_is_a_conflict_not_a_lost_update(TestBackend backend)
    {
        using var test = Use(backend);
        var image = Add();
        var first = _catalog.Get(image.Id);
        var second = test.Open().Get(image.Id); // another process read the same record

        first.AddTag("first");
        _catalog.Save(first);
        second.AddTag("second");
        var error = Assert.Throws<ImageConflictException>(() => test.Open().Save(second));

        Assert.Equal("ImageConflict", error.ErrorId);
        Assert.Contains(image.Id.ToString(), error.Message);
        Assert.Equal(new[] { "first" }, _catalog.Get(image.Id).Tags);

        // Read again, the second change lands on top of the first.
        var current = _catalog.Get(image.Id);
        current.AddTag("second");
        _catalog.Save(current);
        Assert.Equal(new[] { "first", "second" }, _catalog.Get(image.Id).Tags);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Storage_quota_is_checked_in_the_same_transaction_as_the_activation(TestBackend backend)
    {
        using var test = Use(backend);
        var saving = Enumerable.Range(0, 4).Select(_ =>
        {
            var image = Add();
            image.SetStatus(ImageStatus.Saving);
            _catalog.Save(image, ImageStatus.Queued);
            image.SetData(60, "md5", "sha512", "sha", new ImageLocation("file:///x/" + image.Id));
            image.SetStatus(ImageStatus.Active);
            return image;
        }).ToList();

        // Four uploads of 60 bytes finish at once, each through its own catalog object, under a 100-byte quota.
        var catalogs = saving.Select(_ => test.Open()).ToList();
        foreach (var catalog in catalogs) catalog.UserStorageQuota = 100;
        using var start = new Barrier(saving.Count);
        var outcomes = saving.Select((image, i) => Task.Run(() =>
        {
            start.SignalAndWait();
            try
            {
                catalogs[i].Save(image, ImageStatus.Saving);
                return "saved";
            }
            catch (ImagePsException e)
            {
                return e.ErrorId;
            }
        })).ToList().Select(t => t.Result).ToList(); // all started before any is awaited

        Assert.Equal(1, outcomes.Count(o => o == "saved"));
        Assert.Equal(3, outcomes.Count(o => o == "StorageQuotaExceeded"));
        Assert.Equal(60, _catalog.StorageUsedBy("project-a", Guid.Empty));
        Assert.Equal(3, saving.Count(i => _catalog.Get(i.Id).Status == ImageStatus.Saving));
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Image_count_quota_is_checked_in_the_same_transaction_as_the_add(TestBackend backend)
    {
        using var test = Use(backend);
        Add("existing");
        var drafts = Enumerable.Range(0, 4).Select(i => _factory.NewImage(new ImageDraft { Name = "new" + i })).ToList();
        var catalogs = drafts.Select(_ => test.Open()).ToList();
        foreach (var catalog in catalogs) catalog.ImageCountQuota = 3;
        using var start = new Barrier(drafts.Count);
        var outcomes = drafts.Select((image, i) => Task.Run(() =>
        {
            start.SignalAndWait();
            try
            {
                catalogs[i].Add(image);
                return "added";
            }
            catch (ImagePsException e)
            {
                return e.ErrorId;
            }
        })).ToList().Select(t => t.Result).ToList(); // all started before any is awaited

        Assert.Equal(2, outcomes.Count(o => o == "added"));
        Assert.Equal(2, outcomes.Count(o => o == "QuotaExceeded"));
        Assert.Equal(3, _catalog.List(new ImageQuery { Owners = new[] { "project-a" } }).Count());
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Duplicate_id_is_refused(TestBackend backend)
    {
        using var test = Use(backend);
        var image = Add();
        var twin = _factory.NewImage(new ImageDraft { Id = image.Id, Name = "twin" });

        var error = Assert.Throws<ImageConflictException>(() => _catalog.Add(twin));

        Assert.Equal("ImageAlreadyExists", error.ErrorId);
        Assert.Equal(ErrorKind.ResourceExists, error.Kind);
        Assert.Equal("img", _catalog.Get(image.Id).Name);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Deleted_images_are_not_found_and_their_ids_never_reused(TestBackend backend)
    {
        using var test = Use(backend);
        var image = Add();
        image.Delete();
        _catalog.Remove(image);

        Assert.Equal("ImageNotFound", Assert.Throws<ImageNotFoundException>(() => _catalog.Get(image.Id)).ErrorId);
        Assert.Empty(_catalog.List(ImageQuery.All));
        var reuse = _factory.NewImage(new ImageDraft { Id = image.Id });
        Assert.Equal("ImageAlreadyExists", Assert.Throws<ImageConflictException>(() => _catalog.Add(reuse)).ErrorId);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Saving_a_deleted_image_is_not_found(TestBackend backend)
    {
        using var test = Use(backend);
        var image = Add();
        var other = _catalog.Get(image.Id);
        image.Delete();
        _catalog.Remove(image);

        other.SetStatus(ImageStatus.Saving);
        Assert.Throws<ImageNotFoundException>(() => _catalog.Save(other, ImageStatus.Queued));
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Unknown_id_is_not_found(TestBackend backend)
    {
        using var test = Use(backend);
        var id = Guid.NewGuid();
        var error = Assert.Throws<ImageNotFoundException>(() => _catalog.Get(id));
        Assert.Equal(id, error.Target);
        Assert.Contains(id.ToString(), error.Message);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Listing_filters_by_name_status_tag_visibility_and_format(TestBackend backend)
    {
        using var test = Use(backend);
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

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Sql_wildcards_in_names_are_literal(TestBackend backend)
    {
        using var test = Use(backend);
        var percent = Add("100%");
        var underscore = Add("a_b");
        Add("1000");
        Add("axb");

        Assert.Equal(new[] { percent.Id }, _catalog.List(new ImageQuery { Names = new[] { "100%" } }).Select(i => i.Id));
        Assert.Equal(new[] { underscore.Id }, _catalog.List(new ImageQuery { Names = new[] { "a_b" } }).Select(i => i.Id));
        Assert.Equal(new[] { percent.Id }, _catalog.List(new ImageQuery { Names = new[] { "*%" } }).Select(i => i.Id));
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Listing_streams_every_image_in_creation_order_across_pages(TestBackend backend)
    {
        using var test = Use(backend);
        var created = Enumerable.Range(0, 600).Select(i => Add($"img{i:D4}").Id).ToList();

        var listed = _catalog.List(ImageQuery.All).Select(i => i.Id).ToList();

        Assert.Equal(created, listed);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Many_writers_racing_on_one_image_make_exactly_one_change(TestBackend backend)
    {
        using var test = Use(backend);
        var image = Add("contested");
        var hosts = Enumerable.Range(0, 8).Select(_ => test.Open()).ToList(); // each its own connections, as other hosts
        using var start = new Barrier(hosts.Count);

        var outcomes = hosts.AsParallel().WithDegreeOfParallelism(hosts.Count).Select(host =>
        {
            var copy = host.Get(image.Id);
            copy.SetStatus(ImageStatus.Saving);
            copy.SetName("won");
            start.SignalAndWait();
            try
            {
                host.Save(copy, ImageStatus.Queued);
                return "saved";
            }
            catch (ImageConflictException e)
            {
                return e.ErrorId;
            }
        }).ToList();

        Assert.Equal(1, outcomes.Count(o => o == "saved"));
        Assert.Equal(hosts.Count - 1, outcomes.Count(o => o == "ImageConflict"));
        Assert.Equal(ImageStatus.Saving, _catalog.Get(image.Id).Status);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void The_same_id_added_at_once_by_several_writers_is_added_once(TestBackend backend)
    {
        using var test = Use(backend);
        var id = Guid.NewGuid();
        var hosts = Enumerable.Range(0, 6).Select(_ => test.Open()).ToList();
        using var start = new Barrier(hosts.Count);

        var outcomes = hosts.AsParallel().WithDegreeOfParallelism(hosts.Count).Select((host, i) =>
        {
            var image = _factory.NewImage(new ImageDraft { Id = id, Name = "twin-" + i });
            start.SignalAndWait();
            try
            {
                host.Add(image);
                return "added";
            }
            catch (ImageConflictException e)
            {
                return e.ErrorId;
            }
        }).ToList();

        Assert.Equal(1, outcomes.Count(o => o == "added"));
        Assert.All(outcomes.Where(o => o != "added"), o => Assert.Equal("ImageAlreadyExists", o));
        Assert.Single(_catalog.List(ImageQuery.All));
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Storage_used_counts_the_owners_images_with_data(TestBackend backend)
    {
        using var test = Use(backend);
        Image Stored(long size, ImageStatus status)
        {
            var image = Add();
            image.SetStatus(ImageStatus.Saving);
            _catalog.Save(image, ImageStatus.Queued);
            image.SetData(size, "md5", "sha512", "sha", new ImageLocation("file:///x"));
            if (status != ImageStatus.Saving)
            {
                image.SetStatus(status);
                _catalog.Save(image, ImageStatus.Saving);
            }
            return image;
        }

        var active = Stored(1000, ImageStatus.Active);
        Stored(20, ImageStatus.Active);
        Stored(300, ImageStatus.Saving); // not stored yet: not counted

        Assert.Equal(1020, _catalog.StorageUsedBy("project-a", Guid.NewGuid()));
        Assert.Equal(20, _catalog.StorageUsedBy("project-a", active.Id));
        Assert.Equal(0, _catalog.StorageUsedBy("project-b", Guid.NewGuid()));
        Assert.Equal(0, _catalog.StorageUsedBy(null, Guid.NewGuid()));
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Names_match_case_insensitively_with_every_character_literal_but_the_wildcards(TestBackend backend)
    {
        using var test = Use(backend);
        var backslash = Add(@"C:\images\disk");
        var bracket = Add("a[1]");
        var star = Add("a*b");
        var accented = Add("Été-2026");
        Add("axb");

        Guid[] Ids(params string[] names) => _catalog.List(new ImageQuery { Names = names }).Select(i => i.Id).ToArray();

        Assert.Equal(new[] { backslash.Id }, Ids(@"c:\IMAGES\*"));
        Assert.Equal(new[] { bracket.Id }, Ids("a`[1]"));
        Assert.Equal(new[] { star.Id }, Ids("a`*b"));
        Assert.Equal(new[] { accented.Id }, Ids("ÉTÉ-*"));
        Assert.Equal(new[] { bracket.Id, star.Id }, Ids("a[[*]*"));
        Assert.Empty(Ids("A_B"));
    }
}
