using ImagePs.Domain;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests;

/// <summary>Get-ImageUsage's figures on a real repository, once per backend: counted as the quotas count.</summary>
public class ImageUsageTests
{
    private static Image Upload(TestRepository repository, ImageService service, string name, int length)
    {
        var source = repository.Scratch.File(name + ".raw");
        File.WriteAllBytes(source, new byte[length]);
        var image = service.CreateImage(new ImageDraft { Name = name, DiskFormat = "raw", ContainerFormat = "bare" });
        return service.UploadData(image.Id, source, null, CancellationToken.None);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_member_sees_its_own_project_counted_as_the_quotas_count(TestBackend backend)
    {
        using var repository = new TestRepository(backend, "{ \"ImageCountQuota\": 4, \"UserStorageQuota\": 50000 }");
        var web = repository.ServiceFor(Callers.Member("web"));
        var db = repository.ServiceFor(Callers.Member("db"));
        Upload(repository, web, "a", 1000);
        var deactivated = Upload(repository, web, "b", 3000);
        web.DeactivateImage(deactivated.Id);
        web.CreateImage(new ImageDraft { Name = "queued" });
        Upload(repository, db, "other", 7000);

        var usage = Assert.Single(web.GetUsage());

        Assert.Equal("web", usage.Owner);
        Assert.Equal(3, usage.ImageCount);
        Assert.Equal(0, usage.UploadingCount);
        Assert.Equal(4000, usage.StorageUsed);
        Assert.Equal(repository.Backend.StorageUsage.StorageUsedBy("web", Guid.Empty), usage.StorageUsed);
        Assert.Equal(4, usage.ImageCountLimit);
        Assert.Equal(50000, usage.StorageLimit);
        Assert.Empty(web.GetUsage(new[] { "db" }));
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void An_admin_sees_every_owner_and_any_owner_by_name(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var web = repository.ServiceFor(Callers.Member("web"));
        Upload(repository, web, "a", 2000);
        Upload(repository, repository.ServiceFor(Callers.Member("db")), "b", 500);
        var admin = repository.ServiceFor(Callers.Admin("ops"));

        var all = admin.GetUsage();

        Assert.Equal(new[] { "db", "ops", "web" }, all.Select(u => u.Owner));
        Assert.Equal(new long[] { 500, 0, 2000 }, all.Select(u => u.StorageUsed));
        Assert.All(all, u => Assert.Null(u.ImageCountLimit));
        Assert.All(all, u => Assert.Null(u.StorageLimit));
        Assert.Equal(new[] { "nobody", "web" }, admin.GetUsage(new[] { "web", "nobody", "web" }).Select(u => u.Owner));
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void An_image_being_uploaded_counts_as_uploading_and_not_as_stored(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var image = repository.NewImage("saving");
        image.SetStatus(ImageStatus.Saving);
        repository.Backend.Catalog.Save(image, ImageStatus.Queued);

        var usage = Assert.Single(repository.Service.GetUsage(new[] { image.Owner! }));

        Assert.Equal(1, usage.ImageCount);
        Assert.Equal(1, usage.UploadingCount);
        Assert.Equal(0, usage.StorageUsed);
    }
}
