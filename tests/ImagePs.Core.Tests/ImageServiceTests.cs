using System.Security.Cryptography;
using ImagePs.Layers;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests;

/// <summary>
/// The whole pipeline on a real repository, once per backend: SQLite file and filesystem store (and
/// qemu-img), PostgreSQL and S3 (native inspector).
/// </summary>
public class ImageServiceTests
{
    public static IEnumerable<object[]> Upload_makes_the_image_active_with_size_hashes_and_virtual_size_cases => TestBackends.With(new[]
    {
        new object[] { "qcow2", "64M", 4 },
        new object[] { "raw", "8M", 8 },
        new object[] { "vmdk", "32M", 2 },
        new object[] { "vhdx", "48M", 2 },
    });

    public static IEnumerable<object[]> Bad_sources_are_refused_before_the_image_changes_cases => TestBackends.With(new[]
    {
        new object[] { "missing.raw", "SourceFileNotFound", ErrorKind.ObjectNotFound },
        new object[] { "", "SourceIsDirectory", ErrorKind.InvalidArgument },
    });

    [Theory]
    [MemberData(nameof(Upload_makes_the_image_active_with_size_hashes_and_virtual_size_cases))]
    public void Upload_makes_the_image_active_with_size_hashes_and_virtual_size(TestBackend backend, string format, string size, int writeMiB)
    {
        using var repository = new TestRepository(backend);
        var source = repository.Scratch.File("disk." + format);
        QemuImg.Create(format, source, size);
        QemuImg.Write(format, source, writeMiB);
        var bytes = File.ReadAllBytes(source);
        var image = repository.NewImage(diskFormat: format);

        var uploaded = repository.Service.UploadData(image.Id, source, null, CancellationToken.None);
        var stored = repository.Service.GetImage(image.Id);

        foreach (var result in new[] { uploaded, stored })
        {
            Assert.Equal(ImageStatus.Active, result.Status);
            Assert.Equal(bytes.LongLength, result.Size);
            Assert.Equal(Convert.ToHexString(MD5.HashData(bytes)).ToLowerInvariant(), result.Checksum);
            Assert.Equal("sha512", result.OsHashAlgo);
            Assert.Equal(Convert.ToHexString(SHA512.HashData(bytes)).ToLowerInvariant(), result.OsHashValue);
            Assert.Equal(QemuImg.VirtualSize(format, source), result.VirtualSize);
        }
        Assert.Equal(bytes, repository.StoredBytes(stored));
        var expectedLocation = backend == TestBackend.Servers
            ? $"s3://{repository.Bucket}/{image.Id}"
            : new Uri(Path.Combine(repository.Folder.StorePath, image.Id.ToString())).AbsoluteUri;
        Assert.Equal(expectedLocation, Assert.Single(stored.Locations).Url);
        Assert.Empty(repository.Observer.Warnings);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_failed_upload_goes_back_to_queued_with_no_data_and_can_be_retried(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var source = repository.Scratch.RandomFile("disk.raw", 5 * 1024 * 1024);
        var image = repository.NewImage();

        using (var failing = new FaultyStream(File.OpenRead(source), 3 * 1024 * 1024))
        {
            var error = Assert.Throws<ImagePsException>(() =>
                repository.Service.UploadData(image.Id, new ImageDataSource(failing, 5 * 1024 * 1024, source), CancellationToken.None));
            Assert.Equal("SourceReadFailed", error.ErrorId);
        }

        var after = repository.Service.GetImage(image.Id);
        Assert.Equal(ImageStatus.Queued, after.Status);
        Assert.Null(after.Size);
        Assert.Null(after.Checksum);
        Assert.Empty(after.Locations);
        Assert.Empty(repository.StoreFiles());

        var retried = repository.Service.UploadData(image.Id, source, null, CancellationToken.None);
        Assert.Equal(ImageStatus.Active, retried.Status);
        Assert.Equal(5 * 1024 * 1024, retried.Size);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void The_size_cap_is_enforced_on_the_bytes_as_they_arrive(TestBackend backend)
    {
        using var repository = new TestRepository(backend, "{ \"ImageSizeCap\": 1048576 }");
        var exact = repository.Scratch.RandomFile("exact.raw", 1048576);
        var over = repository.Scratch.RandomFile("over.raw", 1048577);
        var atCap = repository.NewImage("exact");
        var tooBig = repository.NewImage("over");

        Assert.Equal(ImageStatus.Active, repository.Service.UploadData(atCap.Id, exact, null, CancellationToken.None).Status);

        // Undeclared size: only the stream itself can tell.
        using var stream = File.OpenRead(over);
        var error = Assert.Throws<ImagePsException>(() =>
            repository.Service.UploadData(tooBig.Id, new ImageDataSource(stream, null, over), CancellationToken.None));
        Assert.Equal("ImageSizeCapExceeded", error.ErrorId);
        Assert.Equal(ErrorKind.LimitsExceeded, error.Kind);
        Assert.Equal(ImageStatus.Queued, repository.Service.GetImage(tooBig.Id).Status);
        Assert.Equal(new[] { atCap.Id.ToString() }, repository.StoreFiles());
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Only_queued_images_accept_data(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var source = repository.Scratch.RandomFile("disk.raw", 1024);
        var image = repository.NewImage();
        repository.Service.UploadData(image.Id, source, null, CancellationToken.None);

        var error = Assert.Throws<ImagePsException>(() => repository.Service.UploadData(image.Id, source, null, CancellationToken.None));

        Assert.Equal("InvalidStatusTransition", error.ErrorId);
        Assert.Equal(ImageStatus.Active, repository.Service.GetImage(image.Id).Status);
        Assert.Single(repository.StoreFiles());
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Image_deleted_during_its_upload_leaves_no_data(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var source = repository.Scratch.RandomFile("disk.raw", 4 * 1024 * 1024);
        var image = repository.NewImage();

        using var stream = new FaultyStream(File.OpenRead(source), 1024 * 1024, () => repository.Service.RemoveImage(image.Id));
        var error = Assert.Throws<ImageNotFoundException>(() =>
            repository.Service.UploadData(image.Id, new ImageDataSource(stream, 4 * 1024 * 1024, source), CancellationToken.None));

        Assert.Equal("ImageNotFound", error.ErrorId);
        Assert.Empty(repository.StoreFiles());
        Assert.Throws<ImageNotFoundException>(() => repository.Service.GetImage(image.Id));
    }

    [Theory]
    [MemberData(nameof(Bad_sources_are_refused_before_the_image_changes_cases))]
    public void Bad_sources_are_refused_before_the_image_changes(TestBackend backend, string name, string errorId, ErrorKind kind)
    {
        using var repository = new TestRepository(backend);
        var image = repository.NewImage();

        var error = Assert.Throws<ImagePsException>(() =>
            repository.Service.UploadData(image.Id, repository.Scratch.File(name), null, CancellationToken.None));

        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(kind, error.Kind);
        Assert.Equal(ImageStatus.Queued, repository.Service.GetImage(image.Id).Status);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Remove_deletes_the_record_and_the_data(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var source = repository.Scratch.RandomFile("disk.raw", 2048);
        var image = repository.NewImage();
        repository.Service.UploadData(image.Id, source, null, CancellationToken.None);
        Assert.Single(repository.StoreFiles());

        repository.Service.RemoveImage(image.Id);

        Assert.Empty(repository.StoreFiles());
        Assert.Throws<ImageNotFoundException>(() => repository.Service.GetImage(image.Id));
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Protected_images_are_not_removed(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var source = repository.Scratch.RandomFile("disk.raw", 2048);
        var image = repository.NewImage(isProtected: true);
        repository.Service.UploadData(image.Id, source, null, CancellationToken.None);

        var error = Assert.Throws<ImagePsException>(() => repository.Service.RemoveImage(image.Id));

        Assert.Equal("ImageProtected", error.ErrorId);
        Assert.Equal(ImageStatus.Active, repository.Service.GetImage(image.Id).Status);
        Assert.Single(repository.StoreFiles());
    }

    [Fact]
    public void Missing_configured_qemu_img_leaves_the_native_virtual_size_with_a_warning()
    {
        using var repository = new TestRepository("{ \"QemuImgPath\": \"/nonexistent/qemu-img\" }");
        var source = repository.Scratch.RandomFile("disk.raw", 4096);
        var image = repository.NewImage();

        var uploaded = repository.Service.UploadData(image.Id, source, null, CancellationToken.None);

        Assert.Equal(ImageStatus.Active, uploaded.Status);
        Assert.Equal(4096, uploaded.VirtualSize);
        Assert.Contains(repository.Observer.Warnings, w => w.Contains("/nonexistent/qemu-img"));
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Declared_format_the_content_does_not_have_is_a_DiskFormatMismatch(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var source = repository.Scratch.RandomFile("not-really.qcow2", 4096);
        var image = repository.NewImage(diskFormat: "qcow2");

        var error = Assert.Throws<ImagePsException>(() => repository.Service.UploadData(image.Id, source, null, CancellationToken.None));

        Assert.Equal("DiskFormatMismatch", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, error.Kind);
        Assert.Contains("qcow2", error.Message);
        Assert.Contains("raw", error.Message);
        var after = repository.Service.GetImage(image.Id);
        Assert.Equal(ImageStatus.Queued, after.Status);
        Assert.Null(after.Size);
        Assert.Empty(after.Locations);
        Assert.Empty(repository.StoreFiles());
    }
}
