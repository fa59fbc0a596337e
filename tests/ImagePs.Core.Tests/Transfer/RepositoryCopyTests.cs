using System.Security.Cryptography;
using ImagePs.Catalog;
using ImagePs.Domain;
using ImagePs.Tests.Support;
using ImagePs.Transfer;
using Xunit;

namespace ImagePs.Tests.Transfer;

/// <summary>
/// Copy-ImageRepository's core: an embedded repository copied into another repository, embedded or
/// on the servers (PostgreSQL + S3), image by image, data verified, records as they were, resumable.
/// </summary>
public class RepositoryCopyTests
{
    private static string Sha512Of(byte[] bytes) => Convert.ToHexString(SHA512.HashData(bytes)).ToLowerInvariant();

    private static List<ImageCopy> CopyAll(RepositoryCopy copy) => copy.Images().Select(item => copy.Copy(item, CancellationToken.None)).ToList();

    /// <summary>A source with an image in every interesting state; returns them by name.</summary>
    private static Dictionary<string, Image> Populate(TestRepository source)
    {
        var service = source.Service;
        var images = new Dictionary<string, Image>();
        Image Upload(string name, int length, int seed, Action<ImageDraft>? draft = null)
        {
            var d = new ImageDraft { Name = name, DiskFormat = "raw", ContainerFormat = "bare", Tags = { "copied" }, Properties = { ["os_distro"] = name } };
            draft?.Invoke(d);
            var image = service.CreateImage(d);
            var file = source.Scratch.RandomFile(name + ".raw", length, seed);
            return service.UploadData(image.Id, file, null, CancellationToken.None);
        }

        images["big"] = Upload("big", 11 * 1024 * 1024 + 3, 1);                  // several S3 parts
        images["small"] = Upload("small", 4096, 2, d => { d.Visibility = ImageVisibility.Public; d.Hidden = true; });
        images["shared"] = Upload("shared", 10_000, 3);
        service.AddMember(images["shared"].Id, "db");
        service.SetMemberStatus(images["shared"].Id, "db", ImageMemberStatus.Accepted);
        images["queued"] = service.CreateImage(new ImageDraft { Name = "queued", DiskFormat = "qcow2", ContainerFormat = "bare", MinDisk = 4 });
        images["deactivated"] = service.DeactivateImage(Upload("deactivated", 2048, 4).Id);
        var deleted = Upload("deleted", 1024, 5);
        service.RemoveImage(deleted.Id);
        images["deleted"] = deleted;
        return images;
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Every_image_is_copied_as_it_was_with_its_data_verified(TestBackend destinationBackend)
    {
        using var source = new TestRepository();
        using var destination = new TestRepository(destinationBackend);
        var images = Populate(source);
        var sourceFilesBefore = source.StoreFiles().OrderBy(f => f).ToArray();

        var results = CopyAll(source.Service.CopyRepositoryTo(destination.Folder.Root));

        Assert.Equal(6, results.Count);
        Assert.All(results, r => Assert.Equal(ImageCopyResult.Copied, r.Result));
        foreach (var name in new[] { "big", "small", "shared", "queued", "deactivated" })
        {
            var original = source.Service.GetImage(images[name].Id);
            var copy = destination.Service.GetImage(original.Id);
            Assert.Equal((original.Name, original.Status, original.Size, original.Checksum, original.OsHashValue, original.VirtualSize),
                (copy.Name, copy.Status, copy.Size, copy.Checksum, copy.OsHashValue, copy.VirtualSize));
            Assert.Equal((original.Visibility, original.Owner, original.MinDisk, original.CreatedAt, original.UpdatedAt),
                (copy.Visibility, copy.Owner, copy.MinDisk, copy.CreatedAt, copy.UpdatedAt));
            Assert.Equal((name == "small", name == "small"), (original.Hidden, copy.Hidden));
            Assert.Equal(original.Tags, copy.Tags);
            Assert.Equal(original.Properties, copy.Properties);
            if (original.Size is null)
            {
                Assert.Empty(copy.Locations);
                continue;
            }
            var location = Assert.Single(copy.Locations).Url;
            Assert.Equal(results.Single(r => r.ImageId == original.Id).Location, location);
            Assert.StartsWith(destinationBackend == TestBackend.Servers ? $"s3://{destination.Bucket}/" : "file://", location);
            Assert.Equal(original.OsHashValue, Sha512Of(destination.StoredBytes(copy)));
        }
        Assert.Equal("db", Assert.Single(destination.Service.GetMembers(images["shared"].Id)).MemberId);
        Assert.Equal(ImageMemberStatus.Accepted, destination.Service.GetMember(images["shared"].Id, "db").Status);

        // The deleted image stays deleted, and its id used.
        Assert.Throws<ImageNotFoundException>(() => destination.Service.GetImage(images["deleted"].Id));
        var reuse = Assert.Throws<ImageConflictException>(() => destination.Service.CreateImage(new ImageDraft { Id = images["deleted"].Id }));
        Assert.Equal("ImageAlreadyExists", reuse.ErrorId);

        // The source is untouched; the destination holds exactly the data of the images with data.
        Assert.Equal(sourceFilesBefore, source.StoreFiles().OrderBy(f => f).ToArray());
        Assert.Equal(new[] { "big", "small", "shared", "deactivated" }.Select(n => images[n].Id.ToString()).OrderBy(f => f),
            destination.StoreFiles().OrderBy(f => f));
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_second_run_copies_nothing_again(TestBackend destinationBackend)
    {
        using var source = new TestRepository();
        using var destination = new TestRepository(destinationBackend);
        Populate(source);
        CopyAll(source.Service.CopyRepositoryTo(destination.Folder.Root));
        var storedBefore = destination.StoreFiles();

        var again = CopyAll(source.Service.CopyRepositoryTo(destination.Folder.Root));

        Assert.All(again, r => Assert.Equal(ImageCopyResult.AlreadyCopied, r.Result));
        Assert.Equal(5, destination.Service.FindImages(ImageQuery.All).Count());
        Assert.Equal(storedBefore, destination.StoreFiles());
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void An_interrupted_copy_is_finished_by_running_it_again(TestBackend destinationBackend)
    {
        using var source = new TestRepository();
        using var destination = new TestRepository(destinationBackend);
        var images = Populate(source);
        var copy = source.Service.CopyRepositoryTo(destination.Folder.Root);
        var first = copy.Images().First();
        copy.Copy(first, CancellationToken.None);
        // The run stopped while copying "small": its data stored, its record not written yet.
        var small = source.Service.GetImage(images["small"].Id);
        destination.ReplaceStoredBytes(small, source.StoredBytes(small).Take(100).ToArray());

        var rest = CopyAll(source.Service.CopyRepositoryTo(destination.Folder.Root));

        Assert.Equal(ImageCopyResult.AlreadyCopied, rest.Single(r => r.ImageId == first.Image.Id).Result);
        Assert.Equal(ImageCopyResult.Copied, rest.Single(r => r.ImageId == small.Id).Result);
        var copied = destination.Service.GetImage(small.Id);
        Assert.Equal(small.OsHashValue, Sha512Of(destination.StoredBytes(copied)));
        Assert.Equal(5, destination.Service.FindImages(ImageQuery.All).Count());
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Damaged_or_missing_source_data_is_reported_and_leaves_nothing_of_that_image(TestBackend destinationBackend)
    {
        using var source = new TestRepository();
        using var destination = new TestRepository(destinationBackend);
        var images = Populate(source);
        var big = source.Service.GetImage(images["big"].Id);
        var bytes = source.StoredBytes(big);
        bytes[5_000_000] ^= 0x40;
        source.ReplaceStoredBytes(big, bytes);
        var small = source.Service.GetImage(images["small"].Id);
        source.ReplaceStoredBytes(small, null);
        var copy = source.Service.CopyRepositoryTo(destination.Folder.Root);

        var errors = new Dictionary<Guid, string>();
        foreach (var item in copy.Images())
        {
            try
            {
                copy.Copy(item, CancellationToken.None);
            }
            catch (ImagePsException e)
            {
                errors[item.Image.Id] = e.ErrorId;
            }
        }

        Assert.Equal("ImageDataCorrupted", errors[big.Id]);
        Assert.Equal("ImageDataMissing", errors[small.Id]);
        Assert.Equal(2, errors.Count);
        Assert.Throws<ImageNotFoundException>(() => destination.Service.GetImage(big.Id));
        Assert.DoesNotContain(big.Id.ToString(), destination.StoreFiles());
        Assert.DoesNotContain("upload:" + big.Id, destination.StoreFiles());
        Assert.Equal(3, destination.Service.FindImages(ImageQuery.All).Count());
    }

    [Fact]
    public void An_image_whose_upload_is_under_way_is_skipped()
    {
        using var source = new TestRepository();
        using var destination = new TestRepository();
        var image = source.NewImage("busy");
        var saving = source.Backend.Catalog.Get(image.Id);
        saving.SetStatus(ImageStatus.Saving);
        source.Backend.Catalog.Save(saving, ImageStatus.Queued);

        ImageCopy result;
        using (source.Backend.Leases.TryAcquire(image.Id)) // its uploader is alive
            result = CopyAll(source.Service.CopyRepositoryTo(destination.Folder.Root)).Single();

        Assert.Equal(ImageCopyResult.Skipped, result.Result);
        Assert.Contains("Saving", result.Reason);
        Assert.Empty(destination.Service.FindImages(ImageQuery.All));
    }

    [Fact]
    public void The_repository_itself_is_not_a_destination()
    {
        using var source = new TestRepository();

        var error = Assert.Throws<ImagePsException>(() => source.Service.CopyRepositoryTo(source.Folder.Root));

        Assert.Equal(("InvalidCopyDestination", ErrorKind.InvalidArgument), (error.ErrorId, error.Kind));
    }

    [Fact]
    public void Only_an_administrator_copies_a_repository()
    {
        using var source = new TestRepository();
        using var destination = new TestRepository();

        var error = Assert.Throws<ImagePsException>(() => source.ServiceFor(Callers.Member("web")).CopyRepositoryTo(destination.Folder.Root));

        Assert.Equal("PolicyDenied", error.ErrorId);
        Assert.Contains("context_is_admin", error.Message);
    }
}
