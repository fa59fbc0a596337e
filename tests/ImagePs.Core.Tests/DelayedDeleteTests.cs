using System.Security.Cryptography;
using ImagePs.Catalog;
using ImagePs.Domain;
using ImagePs.Events;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests;

/// <summary>
/// Delayed delete (Glance's delayed_delete and scrubber) on a real repository, once per backend:
/// Remove-Image to PendingDelete, Restore-Image back with the data intact, the scrub after the
/// window (a clock moved on instead of waiting), the quotas, and the orphan sweep.
/// </summary>
public class DelayedDeleteTests
{
    private const string OneHour = "{ \"DelayedDeleteSeconds\": 3600 }";

    private static Image Upload(TestRepository repository, ImageService service, string name, int length)
    {
        var source = repository.Scratch.RandomFile(name + ".raw", length);
        var image = service.CreateImage(new ImageDraft { Name = name, DiskFormat = "raw", ContainerFormat = "bare" });
        return service.UploadData(image.Id, source, null, CancellationToken.None);
    }

    /// <summary>The same repository and caller, with a clock <paramref name="ahead"/> of now.</summary>
    private static ImageService Later(TestRepository repository, TimeSpan ahead) =>
        new(repository.Backend, TestRepository.Owner, repository.Observer) { UtcNow = () => DateTime.UtcNow.Add(ahead) };

    private static string[] EventTypes(TestRepository repository, Guid id) =>
        repository.Service.FindEvents(new ImageEventQuery { ImageIds = new[] { id } }).Select(e => e.EventType).ToArray();

    private static Guid[] Ids(IEnumerable<Image> images) => images.Select(i => i.Id).ToArray();

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Delete_then_restore_returns_the_image_with_its_status_and_data(TestBackend backend)
    {
        using var repository = new TestRepository(backend, OneHour);
        var service = repository.Service;
        var active = Upload(repository, service, "web", 70000);
        var deactivated = Upload(repository, service, "old", 3000);
        service.DeactivateImage(deactivated.Id);
        var bytes = repository.StoredBytes(active);

        service.RemoveImage(active.Id);
        service.RemoveImage(deactivated.Id);

        var pending = service.GetImage(active.Id);
        Assert.Equal(ImageStatus.PendingDelete, pending.Status);
        Assert.NotNull(pending.PendingDeleteAt);
        Assert.Equal(ImageStatus.Active, pending.StatusBeforeDelete);
        Assert.Equal(ImageStatus.Deactivated, service.GetImage(deactivated.Id).StatusBeforeDelete);
        Assert.Empty(service.FindImages(new ImageQuery()));
        Assert.Equal(0, service.CountImages(new ImageQuery()));
        Assert.Equal(new[] { active.Id, deactivated.Id }, Ids(service.FindImages(new ImageQuery { Statuses = new[] { ImageStatus.PendingDelete } })));
        Assert.Equal(bytes, repository.StoredBytes(pending)); // data kept
        Assert.Equal("image.delete", EventTypes(repository, active.Id).Last());

        var restored = service.RestoreImage(active.Id);
        var restoredDeactivated = service.RestoreImage(deactivated.Id);

        Assert.Equal(ImageStatus.Active, restored.Status);
        Assert.Equal(ImageStatus.Deactivated, restoredDeactivated.Status);
        var reread = service.GetImage(active.Id);
        Assert.Equal(ImageStatus.Active, reread.Status);
        Assert.Null(reread.PendingDeleteAt);
        Assert.Equal(active.Checksum, reread.Checksum);
        Assert.Equal(active.OsHashValue, reread.OsHashValue);
        Assert.Equal(Convert.ToHexString(MD5.HashData(bytes)).ToLowerInvariant(), reread.Checksum);
        Assert.Equal(bytes, repository.StoredBytes(reread));
        Assert.Equal("image.update", EventTypes(repository, active.Id).Last());
        Assert.Equal(new[] { active.Id, deactivated.Id }, Ids(service.FindImages(new ImageQuery())));
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void An_image_without_data_is_deleted_at_once_and_cannot_be_restored(TestBackend backend)
    {
        using var repository = new TestRepository(backend, OneHour);
        var queued = repository.NewImage("queued");

        repository.Service.RemoveImage(queued.Id);

        Assert.Throws<ImageNotFoundException>(() => repository.Service.GetImage(queued.Id));
        var error = Assert.Throws<ImagePsException>(() => repository.Service.RestoreImage(queued.Id));
        Assert.Equal("ImageNotRestorable", error.ErrorId);
        Assert.Contains($"queued ({queued.Id})", error.Message);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Restore_refuses_an_image_that_is_not_pending_delete(TestBackend backend)
    {
        using var repository = new TestRepository(backend, OneHour);
        var active = Upload(repository, repository.Service, "web", 1000);

        var error = Assert.Throws<ImagePsException>(() => repository.Service.RestoreImage(active.Id));

        Assert.Equal("ImageNotRestorable", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidOperation, error.Kind);
        Assert.Contains(active.ToString(), error.Message);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void After_the_window_the_next_change_scrubs_data_and_row_and_restore_is_refused(TestBackend backend)
    {
        using var repository = new TestRepository(backend, OneHour);
        var kept = Upload(repository, repository.Service, "kept", 2000);
        var image = Upload(repository, repository.Service, "gone", 5000);
        repository.Service.RemoveImage(image.Id);
        var events = EventTypes(repository, image.Id);
        var later = Later(repository, TimeSpan.FromHours(2));

        // Past the window and not yet scrubbed: refused, naming the image.
        var ended = Assert.Throws<ImagePsException>(() => later.RestoreImage(image.Id));
        Assert.Equal("ImageNotRestorable", ended.ErrorId);
        Assert.Contains(image.ToString(), ended.Message);

        // Within the window nothing is scrubbed.
        Assert.Empty(repository.Service.ScrubExpired());
        Assert.Equal(ImageStatus.PendingDelete, repository.Service.GetImage(image.Id).Status);

        Assert.Equal(new[] { image.Id }, Ids(later.ScrubExpired()));

        Assert.Throws<ImageNotFoundException>(() => repository.Service.GetImage(image.Id));
        Assert.Equal(ImageStatus.Deleted, repository.Backend.FindDeleted(image.Id)!.Status);
        Assert.Equal(new[] { kept.Id.ToString("D") }, repository.StoreFiles());
        Assert.Equal(events, EventTypes(repository, image.Id)); // the scrub sends nothing (Glance's scrubber neither)
        var gone = Assert.Throws<ImagePsException>(() => later.RestoreImage(image.Id));
        Assert.Equal("ImageNotRestorable", gone.ErrorId);
        Assert.Contains(image.ToString(), gone.Message);
        Assert.Equal(ImageStatus.Active, repository.Service.GetImage(kept.Id).Status);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Clear_all_scrubs_every_pending_delete_now(TestBackend backend)
    {
        using var repository = new TestRepository(backend, OneHour);
        var a = Upload(repository, repository.Service, "a", 1000);
        var b = Upload(repository, repository.Service, "b", 1000);
        repository.Service.RemoveImage(a.Id);
        repository.Service.RemoveImage(b.Id);

        Assert.Empty(repository.Service.FindScrubbable(all: false));
        var due = repository.Service.FindScrubbable(all: true);
        Assert.Equal(new[] { a.Id, b.Id }, Ids(due));
        foreach (var image in due) repository.Service.ScrubImage(image);

        Assert.Empty(repository.StoreFiles());
        Assert.Empty(repository.Service.FindImages(new ImageQuery { Statuses = new[] { ImageStatus.PendingDelete } }));
        Assert.Throws<ImageNotFoundException>(() => repository.Service.GetImage(a.Id));
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Pending_deletes_leave_the_image_count_quota_and_stay_in_the_storage_quota(TestBackend backend)
    {
        using var repository = new TestRepository(backend, "{ \"DelayedDeleteSeconds\": 3600, \"ImageCountQuota\": 2, \"UserStorageQuota\": 10000 }");
        var service = repository.Service;
        Upload(repository, service, "a", 4000);
        var b = Upload(repository, service, "b", 5000);
        service.RemoveImage(b.Id);

        // One image counted: a second fits the count quota, but the storage quota still holds b's 5000 bytes.
        var c = service.CreateImage(new ImageDraft { Name = "c", DiskFormat = "raw", ContainerFormat = "bare" });
        var usage = Assert.Single(service.GetUsage());
        Assert.Equal(2, usage.ImageCount);
        Assert.Equal(9000, usage.StorageUsed);
        Assert.Equal(9000, repository.Backend.StorageUsage.StorageUsedBy(TestRepository.Owner.Project, Guid.Empty));
        var source = repository.Scratch.RandomFile("c.raw", 2000);
        var over = Assert.Throws<ImagePsException>(() => service.UploadData(c.Id, source, null, CancellationToken.None));
        Assert.Equal("StorageQuotaExceeded", over.ErrorId);

        // Scrubbed, its bytes are free again.
        foreach (var image in service.FindScrubbable(all: true)) service.ScrubImage(image);
        Assert.Equal(ImageStatus.Active, service.UploadData(c.Id, source, null, CancellationToken.None).Status);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void The_sweep_deletes_data_no_live_image_has_and_nothing_else(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var live = Upload(repository, repository.Service, "live", 3000);
        var pendingRepository = live; // a live image's data is never touched
        var crashed = Upload(repository, repository.Service, "crashed", 2000);
        // A process that died during Remove-Image: the catalog says Deleted, the data is still there.
        var row = repository.Backend.Catalog.Get(crashed.Id);
        row.Delete();
        repository.Backend.Catalog.Remove(row);
        // Data with no row at all.
        var stray = new ImageFactory(TestRepository.Owner).NewImage(new ImageDraft { Name = "stray", DiskFormat = "raw", ContainerFormat = "bare" });
        repository.ReplaceStoredBytes(stray, new byte[] { 1, 2, 3 });
        Assert.Equal(3, repository.StoreFiles().Length);

        var deleted = repository.Service.SweepOrphanedData();

        Assert.Equal(2, deleted.Count);
        Assert.Equal(new[] { pendingRepository.Id.ToString("D") }, repository.StoreFiles());
        Assert.Equal(3000, repository.StoredBytes(repository.Service.GetImage(live.Id)).Length);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_delete_that_died_before_its_store_delete_is_finished_by_the_next_changing_command(TestBackend backend)
    {
        using var repository = new TestRepository(backend); // no delayed delete: Remove-Image deletes at once
        var live = Upload(repository, repository.Service, "live", 3000);
        var crashed = Upload(repository, repository.Service, "crashed", 2000);
        var held = Upload(repository, repository.Service, "held", 1000);
        // Processes that died during Remove-Image: the catalog's update done, the store's delete never run.
        foreach (var id in new[] { crashed.Id, held.Id })
        {
            var row = repository.Backend.Catalog.Get(id);
            row.Delete();
            repository.Backend.Catalog.Remove(row);
        }
        Assert.Equal(3, repository.StoreFiles().Length);

        // A read changes nothing; the scrub of a changing command deletes what no lease holds.
        Assert.Equal(live.Id, Assert.Single(repository.Service.FindImages(new ImageQuery())).Id);
        Assert.Equal(3, repository.StoreFiles().Length);
        using (repository.Backend.Leases.TryAcquire(held.Id)) // e.g. a sweep in another process
        {
            Assert.Empty(repository.Service.ScrubExpired());
            Assert.Equal(new[] { live.Id.ToString("D"), held.Id.ToString("D") }.Order(StringComparer.Ordinal), repository.StoreFiles().Order(StringComparer.Ordinal));
        }
        repository.Service.ScrubExpired(); // what the next changing cmdlet runs first

        Assert.Equal(new[] { live.Id.ToString("D") }, repository.StoreFiles());
        Assert.Empty(repository.Backend.Deletes.ListDataToDelete(10));
        Assert.Equal(3000, repository.StoredBytes(repository.Service.GetImage(live.Id)).Length);
        Assert.Contains(repository.Observer.VerboseMessages, m => m.Contains(crashed.Id.ToString("D")));
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_delete_that_completes_leaves_nothing_queued(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var image = Upload(repository, repository.Service, "web", 1000);

        repository.Service.RemoveImage(image.Id);

        Assert.Empty(repository.StoreFiles());
        Assert.Empty(repository.Backend.Deletes.ListDataToDelete(10));
        Assert.Equal("deleted", Assert.Single(repository.Backend.FindDeleted(image.Id)!.Locations).Status);
    }

    [Fact]
    public void The_sweep_leaves_partial_files_and_data_under_a_held_lease_alone()
    {
        using var repository = new TestRepository(TestBackend.Embedded);
        var store = repository.Folder.StorePath;
        Directory.CreateDirectory(store);
        var uploading = Guid.NewGuid();
        var partial = Path.Combine(store, $"{uploading:D}.{Guid.NewGuid():N}.partial");
        File.WriteAllBytes(partial, new byte[100]);
        var strayId = Guid.NewGuid();
        var stray = Path.Combine(store, strayId.ToString("D"));
        File.WriteAllBytes(stray, new byte[10]);
        var outside = Path.Combine(repository.Folder.Root, Guid.NewGuid().ToString("D"));
        File.WriteAllBytes(outside, new byte[10]);

        using (File.Open(partial, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) // an upload writing it
        using (repository.Backend.Leases.TryAcquire(strayId)) // a Copy-ImageRepository storing data before its row
        {
            Assert.Empty(repository.Service.SweepOrphanedData());
            Assert.True(File.Exists(partial));
            Assert.True(File.Exists(stray));
        }

        Assert.Single(repository.Service.SweepOrphanedData());
        Assert.False(File.Exists(stray));
        Assert.True(File.Exists(partial)); // partial writes are recovery's, under their lease, never the sweep's
        Assert.True(File.Exists(outside));
    }

    [Fact]
    public void Without_the_setting_remove_deletes_at_once_as_before()
    {
        using var repository = new TestRepository(TestBackend.Embedded);
        var image = Upload(repository, repository.Service, "web", 1000);

        repository.Service.RemoveImage(image.Id);

        Assert.Throws<ImageNotFoundException>(() => repository.Service.GetImage(image.Id));
        Assert.Empty(repository.StoreFiles());
        Assert.Empty(repository.Service.ScrubExpired());
    }

    [Fact]
    public void Restore_is_governed_by_its_own_rule_restore_image()
    {
        var files = new Dictionary<string, string> { ["policy.yaml"] = "restore_image: \"rule:context_is_admin\"\n" };
        using var repository = new TestRepository(OneHour, files: files);
        var web = repository.ServiceFor(Callers.Member("web"));
        var image = Upload(repository, web, "web", 1000);
        web.RemoveImage(image.Id); // delete_image still allows the member

        var denied = Assert.Throws<ImagePsException>(() => web.RestoreImage(image.Id));

        Assert.Equal("PolicyDenied", denied.ErrorId);
        Assert.Contains("restore_image", denied.Message);
        Assert.Equal(ImageStatus.PendingDelete, web.GetImage(image.Id).Status);
        Assert.Equal(ImageStatus.Active, repository.ServiceFor(Callers.Admin()).RestoreImage(image.Id).Status);
    }

    [Fact]
    public void Only_an_administrator_scrubs_on_demand_and_a_member_restores_its_own()
    {
        using var repository = new TestRepository(TestBackend.Embedded, OneHour);
        var web = repository.ServiceFor(Callers.Member("web"));
        var db = repository.ServiceFor(Callers.Member("db"));
        var image = Upload(repository, web, "web", 1000);
        web.RemoveImage(image.Id);

        Assert.Equal("PolicyDenied", Assert.Throws<ImagePsException>(() => web.FindScrubbable(all: true)).ErrorId);
        Assert.Throws<ImageNotFoundException>(() => db.RestoreImage(image.Id));
        Assert.Equal(ImageStatus.Active, web.RestoreImage(image.Id).Status);
    }
}
