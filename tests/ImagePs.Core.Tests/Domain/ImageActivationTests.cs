using ImagePs.Settings;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Domain;

/// <summary>Glance's deactivate / reactivate (Disable-Image, Enable-Image) and the download rule.</summary>
public class ImageActivationTests
{
    [Fact]
    public void Active_becomes_deactivated_and_back_in_the_catalog()
    {
        using var repository = new TestRepository();
        var image = ActiveImage(repository);

        var deactivated = repository.Service.DeactivateImage(image.Id);

        Assert.Equal(ImageStatus.Deactivated, deactivated.Status);
        var stored = repository.Service.GetImage(image.Id);
        Assert.Equal(ImageStatus.Deactivated, stored.Status);
        Assert.Equal(image.Checksum, stored.Checksum);
        Assert.Single(repository.StoreFiles());

        var reactivated = repository.Service.ReactivateImage(image.Id);

        Assert.Equal(ImageStatus.Active, reactivated.Status);
        Assert.Equal(ImageStatus.Active, repository.Service.GetImage(image.Id).Status);
    }

    [Fact]
    public void Deactivating_twice_or_reactivating_an_active_image_changes_nothing()
    {
        using var repository = new TestRepository();
        var image = ActiveImage(repository);

        var reactivated = repository.Service.ReactivateImage(image.Id);
        Assert.Equal(ImageStatus.Active, reactivated.Status);
        Assert.Equal(image.UpdatedAt, repository.Service.GetImage(image.Id).UpdatedAt);

        repository.Service.DeactivateImage(image.Id);
        var first = repository.Service.GetImage(image.Id);
        var again = repository.Service.DeactivateImage(image.Id);

        Assert.Equal(ImageStatus.Deactivated, again.Status);
        Assert.Equal(first.UpdatedAt, repository.Service.GetImage(image.Id).UpdatedAt);
    }

    public static IEnumerable<object[]> EveryStatus() => Enum.GetValues<ImageStatus>().Select(s => new object[] { s });

    [Theory]
    [MemberData(nameof(EveryStatus))]
    public void Only_active_or_deactivated_images_may_be_deactivated(ImageStatus status)
    {
        var image = Loaded(status);

        if (status is ImageStatus.Active or ImageStatus.Deactivated)
        {
            Assert.Equal(status == ImageStatus.Active, ImageService.Deactivate(image));
            Assert.Equal(ImageStatus.Deactivated, image.Status);
        }
        else
        {
            var error = Assert.Throws<ImagePsException>(() => ImageService.Deactivate(image));
            Assert.Equal("InvalidStatusTransition", error.ErrorId);
            Assert.Equal(ErrorKind.InvalidOperation, error.Kind);
            Assert.Contains(status.ToString(), error.Message);
            Assert.Equal(status, image.Status);
        }
    }

    [Theory]
    [MemberData(nameof(EveryStatus))]
    public void Only_deactivated_or_active_images_may_be_reactivated(ImageStatus status)
    {
        var image = Loaded(status);

        if (status is ImageStatus.Active or ImageStatus.Deactivated)
        {
            Assert.Equal(status == ImageStatus.Deactivated, ImageService.Reactivate(image));
            Assert.Equal(ImageStatus.Active, image.Status);
        }
        else
        {
            var error = Assert.Throws<ImagePsException>(() => ImageService.Reactivate(image));
            Assert.Equal("InvalidStatusTransition", error.ErrorId);
            Assert.Equal(status, image.Status);
        }
    }

    [Fact]
    public void A_queued_image_cannot_be_deactivated_in_the_catalog()
    {
        using var repository = new TestRepository();
        var image = repository.NewImage();

        Assert.Throws<ImagePsException>(() => repository.Service.DeactivateImage(image.Id));

        Assert.Equal(ImageStatus.Queued, repository.Service.GetImage(image.Id).Status);
    }

    [Fact]
    public void A_status_change_between_read_and_save_is_ImageConflict()
    {
        using var repository = new TestRepository();
        var image = ActiveImage(repository);
        var pending = repository.Service.GetImage(image.Id);
        ImageService.Deactivate(pending); // in memory, as Disable-Image does before it asks
        repository.Service.DeactivateImage(image.Id); // another session was quicker

        var error = Assert.Throws<ImageConflictException>(() => repository.Service.SaveImage(pending));

        Assert.Equal("ImageConflict", error.ErrorId);
        Assert.Equal(ImageStatus.Deactivated, repository.Service.GetImage(image.Id).Status);
    }

    [Fact]
    public void An_image_deleted_between_read_and_save_is_ImageNotFound()
    {
        using var repository = new TestRepository();
        var image = ActiveImage(repository);
        var pending = repository.Service.GetImage(image.Id);
        ImageService.Deactivate(pending);
        repository.Service.RemoveImage(image.Id);

        Assert.Throws<ImageNotFoundException>(() => repository.Service.SaveImage(pending));
    }

    [Theory]
    [InlineData(ImageStatus.Active, false, null)]
    [InlineData(ImageStatus.Active, true, null)]
    [InlineData(ImageStatus.Deactivated, false, "ImageDeactivated")]
    [InlineData(ImageStatus.Deactivated, true, null)]
    public void A_deactivated_image_cannot_be_downloaded_except_by_an_admin(ImageStatus status, bool admin, string? errorId)
    {
        using var repository = new TestRepository();
        var service = new ImageService(repository.Backend, new CallerContext("caller", "tester", new[] { "member", "reader" }, isAdmin: admin), SilentObserver.Instance);
        var image = ActiveImage(repository);
        if (status == ImageStatus.Deactivated) repository.Service.DeactivateImage(image.Id);
        var current = service.GetImage(image.Id);

        if (errorId is null)
        {
            service.CheckDownloadAllowed(current);
            return;
        }
        var error = Assert.Throws<ImagePsException>(() => service.CheckDownloadAllowed(current));
        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(ErrorKind.PermissionDenied, error.Kind);
        Assert.Contains(image.Id.ToString(), error.Message);
    }

    private static Image Loaded(ImageStatus status) =>
        Image.Load(Guid.NewGuid(), status, DateTime.UtcNow, DateTime.UtcNow, "x", "raw", "bare",
            ImageVisibility.Shared, false, 1, 1, "c", "sha512", "h", 0, 0, "p");

    private static Image ActiveImage(TestRepository repository)
    {
        var source = repository.Scratch.RandomFile("active-" + Guid.NewGuid().ToString("N") + ".raw", 4096);
        var image = repository.NewImage();
        return repository.Service.UploadData(image.Id, source, null, CancellationToken.None);
    }
}
