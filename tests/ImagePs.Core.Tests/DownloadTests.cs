using System.Security.Cryptography;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests;

/// <summary>Save-ImageData's core, on both backends: verified copies, names, overwrite, damaged or missing data.</summary>
public class DownloadTests
{
    public static IEnumerable<object[]> Damages => TestBackends.With(new[] { new object[] { "flip" }, new object[] { "truncate" }, new object[] { "extend" } });

    private static (TestRepository Repository, Image Image, string Source) Uploaded(TestBackend backend, int length = 5 << 20, string name = "disk")
    {
        var repository = new TestRepository(backend);
        var source = repository.Scratch.RandomFile("source.raw", length);
        var image = repository.NewImage(name);
        repository.Service.UploadData(image.Id, source, null, CancellationToken.None);
        return (repository, repository.Service.GetImage(image.Id), source);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Download_writes_a_verified_copy(TestBackend backend)
    {
        var (repository, image, source) = Uploaded(backend);
        using (repository)
        {
            var target = repository.Scratch.File("copy.raw");

            var written = repository.Service.DownloadData(image.Id, target, overwrite: false, CancellationToken.None);

            Assert.Equal(target, written);
            Assert.Equal(File.ReadAllBytes(source), File.ReadAllBytes(target));
            Assert.Equal(new[] { "copy.raw", "source.raw" }, Directory.GetFiles(repository.Scratch.Path).Select(Path.GetFileName).Order().ToArray()[^2..]);
            Assert.True(repository.Observer.ProgressReports.Last().Completed);
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_folder_gets_a_file_named_after_the_image_without_path_tricks(TestBackend backend)
    {
        var (repository, image, _) = Uploaded(backend, 1000, name: "../../etc/passwd");
        using (repository)
        {
            var folder = Directory.CreateDirectory(repository.Scratch.File("out")).FullName;

            var written = repository.Service.DownloadData(image.Id, folder, overwrite: false, CancellationToken.None);

            Assert.Equal(folder, Path.GetDirectoryName(written));
            Assert.Equal("_.._etc_passwd.raw", Path.GetFileName(written));
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void An_existing_file_is_kept_unless_overwrite_is_asked(TestBackend backend)
    {
        var (repository, image, source) = Uploaded(backend, 1000);
        using (repository)
        {
            var target = repository.Scratch.File("existing.raw");
            File.WriteAllText(target, "keep me");

            var error = Assert.Throws<ImagePsException>(() => repository.Service.DownloadData(image.Id, target, false, CancellationToken.None));
            Assert.Equal("DestinationExists", error.ErrorId);
            Assert.Equal("keep me", File.ReadAllText(target));

            repository.Service.DownloadData(image.Id, target, true, CancellationToken.None);
            Assert.Equal(File.ReadAllBytes(source), File.ReadAllBytes(target));
        }
    }

    [Theory]
    [MemberData(nameof(Damages))]
    public void Corrupted_store_data_is_detected_and_nothing_is_left(TestBackend backend, string damage)
    {
        var (repository, image, _) = Uploaded(backend, 3 << 20);
        using (repository)
        {
            var bytes = repository.StoredBytes(image);
            bytes = damage switch
            {
                "flip" => bytes.Select((b, i) => i == 1_000_000 ? (byte)(b ^ 0x40) : b).ToArray(),
                "truncate" => bytes[..^1],
                _ => bytes.Append((byte)0).ToArray(),
            };
            repository.ReplaceStoredBytes(image, bytes);
            var target = repository.Scratch.File("copy.raw");

            var error = Assert.Throws<ImagePsException>(() => repository.Service.DownloadData(image.Id, target, false, CancellationToken.None));

            Assert.Equal("ImageDataCorrupted", error.ErrorId);
            Assert.Equal(ErrorKind.InvalidData, error.Kind);
            Assert.False(File.Exists(target));
            Assert.Empty(Directory.GetFiles(repository.Scratch.Path, "*.partial", SearchOption.AllDirectories));
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Data_gone_from_the_store_is_ImageDataMissing(TestBackend backend)
    {
        var (repository, image, _) = Uploaded(backend, 1000);
        using (repository)
        {
            repository.ReplaceStoredBytes(image, null);
            var target = repository.Scratch.File("copy.raw");

            var error = Assert.Throws<ImagePsException>(() => repository.Service.DownloadData(image.Id, target, false, CancellationToken.None));

            Assert.Equal("ImageDataMissing", error.ErrorId);
            Assert.Equal(ErrorKind.ReadError, error.Kind);
            Assert.Contains(image.Locations.Single().Url, error.Message);
            Assert.False(File.Exists(target));
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Images_without_data_are_refused(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var image = repository.NewImage();

        var error = Assert.Throws<ImagePsException>(() =>
            repository.Service.DownloadData(image.Id, repository.Scratch.File("x"), false, CancellationToken.None));

        Assert.Equal("ImageNotActive", error.ErrorId);
        Assert.Contains("Queued", error.Message);
    }

    [Fact]
    public void Store_data_that_cannot_be_read_is_a_clear_error()
    {
        var (repository, image, _) = Uploaded(TestBackend.Embedded, 1000);
        using (repository)
        {
            var stored = Path.Combine(repository.Folder.StorePath, image.Id.ToString());
            File.Delete(stored);
            Directory.CreateDirectory(stored); // still there by name, but not readable as data

            var error = Assert.Throws<ImagePsException>(() =>
                repository.Service.DownloadData(image.Id, repository.Scratch.File("copy.raw"), false, CancellationToken.None));

            // A folder where a data file belongs is not ImagePs's file: refused without opening it.
            Assert.Equal("UnsafeRepositoryFile", error.ErrorId);
            Assert.Equal(ErrorKind.SecurityError, error.Kind);
            Assert.Contains(stored, error.Message);
            Assert.False(File.Exists(repository.Scratch.File("copy.raw")));
        }
    }
}
