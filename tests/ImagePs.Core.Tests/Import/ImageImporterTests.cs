using System.Diagnostics;
using System.Security.Cryptography;
using ImagePs.Domain;
using ImagePs.Import;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Import;

/// <summary>
/// Import-Image's core on both backends, from local files: records and their source, -SkipExisting,
/// the source hash and the stored-disk hashes, checksum files, decompression, conversion, failures
/// left Queued with their error (or removed) and retried from the recorded source.
/// </summary>
public class ImageImporterTests
{
    private static string Hex(byte[] digest) => Convert.ToHexString(digest).ToLowerInvariant();

    private static Image Import(TestRepository repository, ImportRequest request) =>
        new ImageImporter(repository.Service, repository.Observer).Import(request, CancellationToken.None);

    private static string Qcow2(TestRepository repository, string name, int mebibytes = 2)
    {
        var path = Path.Combine(repository.Scratch.Path, name);
        QemuImg.Create("qcow2", path, "32M");
        QemuImg.Write("qcow2", path, mebibytes);
        return path;
    }

    private static string Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} failed: {process.StandardError.ReadToEnd()}");
        return output;
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_file_becomes_an_Active_image_named_after_it_with_its_source_recorded(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var path = Qcow2(repository, "debian-12.qcow2");
        var bytes = File.ReadAllBytes(path);

        var image = Import(repository, new ImportRequest { Path = path });

        Assert.Equal(ImageStatus.Active, image.Status);
        Assert.Equal("debian-12", image.Name);
        Assert.Equal("qcow2", image.DiskFormat);
        Assert.Equal(bytes.Length, image.Size);
        Assert.Equal(Hex(MD5.HashData(bytes)), image.Checksum);
        Assert.Equal(QemuImg.VirtualSize("qcow2", path), image.VirtualSize);
        Assert.Equal(path, image.Properties[SystemProperties.ImportSource]);
        // Stored as fetched and no hash declared: the source hash is the data's own SHA-512.
        Assert.Equal("sha512:" + Hex(SHA512.HashData(bytes)), image.Properties[SystemProperties.SourceHash]);
        Assert.False(image.Properties.ContainsKey(SystemProperties.ImportError));
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void SkipExisting_returns_the_image_already_imported_and_creates_nothing(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var path = Qcow2(repository, "web.qcow2");
        var first = Import(repository, new ImportRequest { Path = path, SkipExisting = true });
        var stored = repository.StoreFiles();

        var second = Import(repository, new ImportRequest { Path = path, SkipExisting = true });

        Assert.Equal(first.Id, second.Id);
        Assert.Single(repository.Service.FindImages(new ImagePs.Catalog.ImageQuery()));
        Assert.Equal(stored, repository.StoreFiles());
        Assert.Contains(repository.Observer.VerboseMessages, m => m.Contains("in the catalog already"));
    }

    [Fact]
    public void SkipExisting_finds_an_image_uploaded_by_Send_ImageData_by_its_SHA_512()
    {
        using var repository = new TestRepository();
        var path = repository.Scratch.RandomFile("appliance.raw", 1 << 20);
        var uploaded = repository.NewImage("appliance");
        repository.Service.UploadData(uploaded.Id, path, null, CancellationToken.None);

        var found = Import(repository, new ImportRequest { Path = path, SkipExisting = true });

        Assert.Equal(uploaded.Id, found.Id);
    }

    [Fact]
    public void SkipExisting_leaves_another_projects_image_alone()
    {
        using var repository = new TestRepository();
        var path = repository.Scratch.RandomFile("shared.raw", 1 << 20);
        var other = new ImageService(repository.Backend, new ImagePs.Settings.CallerContext("other", roles: new[] { "member", "reader" }), repository.Observer);
        new ImageImporter(other, repository.Observer).Import(new ImportRequest { Path = path }, CancellationToken.None);

        var mine = Import(repository, new ImportRequest { Path = path, SkipExisting = true });

        Assert.Equal("tester", mine.Owner);
        Assert.Equal(2, repository.Backend.Catalog.List(new ImagePs.Catalog.ImageQuery()).Count());
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_wrong_source_hash_stores_nothing_and_leaves_the_image_Queued_with_the_error(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var path = repository.Scratch.RandomFile("disk.raw", 1 << 20);
        var wrong = new string('a', 64);

        var error = Assert.ThrowsAny<ImagePsException>(() => Import(repository, new ImportRequest { Path = path, SourceHash = SourceHash.Parse(wrong, "SHA256") }));

        Assert.Equal("SourceHashMismatch", error.ErrorId);
        Assert.Contains("sha256:" + Hex(SHA256.HashData(File.ReadAllBytes(path))), error.Message);
        var image = Assert.Single(repository.Service.FindImages(new ImagePs.Catalog.ImageQuery()));
        Assert.Equal(ImageStatus.Queued, image.Status);
        Assert.StartsWith("SourceHashMismatch: ", image.Properties[SystemProperties.ImportError]);
        Assert.Equal("sha256:" + wrong, image.Properties[SystemProperties.SourceHash]);
        Assert.Empty(repository.StoreFiles());
    }

    [Fact]
    public void RemoveOnFailure_leaves_no_image()
    {
        using var repository = new TestRepository();
        var path = repository.Scratch.RandomFile("disk.raw", 1 << 20);

        var error = Assert.ThrowsAny<ImagePsException>(() => Import(repository, new ImportRequest { Path = path, Checksum = new string('0', 32), RemoveOnFailure = true }));

        Assert.Equal("ChecksumMismatch", error.ErrorId);
        Assert.Empty(repository.Service.FindImages(new ImagePs.Catalog.ImageQuery()));
        Assert.Empty(repository.StoreFiles());
    }

    [Fact]
    public void A_failed_import_is_retried_from_its_recorded_source_and_its_error_forgotten()
    {
        using var repository = new TestRepository();
        var path = Qcow2(repository, "later.qcow2");
        var good = File.ReadAllBytes(path);
        File.WriteAllBytes(path, good.Take(100).ToArray()); // a cut qcow2: its header points past the end
        Assert.ThrowsAny<ImagePsException>(() => Import(repository, new ImportRequest { Path = path }));
        var queued = Assert.Single(repository.Service.FindImages(new ImagePs.Catalog.ImageQuery()));
        Assert.Equal(ImageStatus.Queued, queued.Status);
        Assert.True(queued.Properties.ContainsKey(SystemProperties.ImportError));

        File.WriteAllBytes(path, good);
        var retried = Import(repository, ImportRequest.ForRetry(queued, null, removeOnFailure: false));

        Assert.Equal(queued.Id, retried.Id);
        Assert.Equal(ImageStatus.Active, retried.Status);
        Assert.Equal(Hex(MD5.HashData(good)), retried.Checksum);
        Assert.False(retried.Properties.ContainsKey(SystemProperties.ImportError));
    }

    [Fact]
    public void An_image_without_a_recorded_source_cannot_be_retried()
    {
        using var repository = new TestRepository();
        var image = repository.NewImage("plain");

        var error = Assert.ThrowsAny<ImagePsException>(() => ImportRequest.ForRetry(image, null, false));

        Assert.Equal("ImportSourceUnknown", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidOperation, error.Kind);
    }

    [Fact]
    public void A_missing_file_creates_nothing()
    {
        using var repository = new TestRepository();

        var error = Assert.ThrowsAny<ImagePsException>(() => Import(repository, new ImportRequest { Path = Path.Combine(repository.Scratch.Path, "missing.qcow2") }));

        Assert.Equal("SourceFileNotFound", error.ErrorId);
        Assert.Empty(repository.Service.FindImages(new ImagePs.Catalog.ImageQuery()));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_checksum_file_lists_the_source_by_name(bool bsdStyle)
    {
        using var repository = new TestRepository();
        var path = Qcow2(repository, "vendor.qcow2");
        var sums = Path.Combine(repository.Scratch.Path, "SHA256SUMS");
        File.WriteAllText(sums, bsdStyle ? Run("sha256sum", "--tag", path).Replace(path, "vendor.qcow2") : Run("sha256sum", path).Replace(path, "vendor.qcow2"));

        var image = Import(repository, new ImportRequest { Path = path, ChecksumPath = sums });

        Assert.Equal("sha256:" + Hex(SHA256.HashData(File.ReadAllBytes(path))), image.Properties[SystemProperties.SourceHash]);
    }

    [Fact]
    public void A_checksum_file_without_the_source_creates_nothing()
    {
        using var repository = new TestRepository();
        var path = Qcow2(repository, "vendor.qcow2");
        var sums = Path.Combine(repository.Scratch.Path, "SHA256SUMS");
        File.WriteAllText(sums, new string('1', 64) + "  other.qcow2\n");

        var error = Assert.ThrowsAny<ImagePsException>(() => Import(repository, new ImportRequest { Path = path, ChecksumPath = sums }));

        Assert.Equal("ChecksumNotListed", error.ErrorId);
        Assert.Contains("vendor.qcow2", error.Message);
        Assert.Empty(repository.Service.FindImages(new ImagePs.Catalog.ImageQuery()));
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_compressed_file_stores_the_decompressed_disk_with_its_own_hashes_and_format(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var path = Qcow2(repository, "cloud.qcow2");
        var disk = File.ReadAllBytes(path);
        Run("xz", "-k", "-T1", path);
        var compressed = path + ".xz";

        var image = Import(repository, new ImportRequest { Path = compressed });

        Assert.Equal("cloud", image.Name);
        Assert.Equal("qcow2", image.DiskFormat);
        Assert.Equal(disk.Length, image.Size);
        Assert.Equal(Hex(MD5.HashData(disk)), image.Checksum);
        Assert.Equal(Hex(SHA512.HashData(disk)), image.OsHashValue);
        Assert.Equal("sha256:" + Hex(SHA256.HashData(File.ReadAllBytes(compressed))), image.Properties[SystemProperties.SourceHash]);
    }

    [Fact]
    public void A_fixed_VHD_is_known_by_its_footer_once_stored()
    {
        using var repository = new TestRepository();
        var raw = repository.Scratch.RandomFile("plain.raw", 2 << 20);
        var vhd = Path.Combine(repository.Scratch.Path, "fixed.vhd");
        QemuImg.Convert("raw", raw, "vpc", vhd, "subformat=fixed");
        Run("gzip", "-k", vhd);

        var image = Import(repository, new ImportRequest { Path = vhd + ".gz" });

        Assert.Equal("vhd", image.DiskFormat);
        Assert.Equal(new FileInfo(vhd).Length, image.Size);
    }

    [Fact]
    public void The_size_cap_applies_to_the_decompressed_bytes()
    {
        using var repository = new TestRepository("""{ "ImageSizeCap": 4194304 }""");
        var zeros = Path.Combine(repository.Scratch.Path, "bomb.raw");
        using (var file = File.Create(zeros)) file.SetLength(64 << 20);
        Run("gzip", zeros);

        var error = Assert.ThrowsAny<ImagePsException>(() => Import(repository, new ImportRequest { Path = zeros + ".gz", RemoveOnFailure = true }));

        Assert.Equal("ImageSizeCapExceeded", error.ErrorId);
        Assert.Empty(repository.StoreFiles());
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void ConvertTo_stores_the_converted_disk_and_records_what_it_was(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var path = Qcow2(repository, "server.qcow2");
        var original = File.ReadAllBytes(path);

        var image = Import(repository, new ImportRequest { Path = path, ConvertTo = "vmdk" });

        Assert.Equal("vmdk", image.DiskFormat);
        Assert.Equal("vmdk", image.Properties[SystemProperties.ImportConvertTo]);
        Assert.Contains("qcow2", image.Properties[SystemProperties.ConvertedFrom]);
        Assert.Contains(Hex(SHA512.HashData(original)), image.Properties[SystemProperties.ConvertedFrom]);
        Assert.Equal(QemuImg.VirtualSize("qcow2", path), image.VirtualSize);
        Assert.Empty(Directory.Exists(Path.Combine(repository.Folder.Root, ImportTemporaryFiles.FolderName))
            ? Directory.GetFiles(Path.Combine(repository.Folder.Root, ImportTemporaryFiles.FolderName)).Where(f => !f.EndsWith(".lock"))
            : Array.Empty<string>());
    }

    [Fact]
    public void ConvertTo_the_format_it_has_stores_it_as_it_is()
    {
        using var repository = new TestRepository();
        var path = Qcow2(repository, "same.qcow2");

        var image = Import(repository, new ImportRequest { Path = path, ConvertTo = "qcow2" });

        Assert.Equal(Hex(MD5.HashData(File.ReadAllBytes(path))), image.Checksum);
        Assert.False(image.Properties.ContainsKey(SystemProperties.ConvertedFrom));
    }

    [Fact]
    public void A_DiskFormat_that_disagrees_with_ConvertTo_creates_nothing()
    {
        using var repository = new TestRepository();
        var path = Qcow2(repository, "server.qcow2");

        var error = Assert.ThrowsAny<ImagePsException>(() =>
            Import(repository, new ImportRequest { Path = path, ConvertTo = "raw", Draft = new ImageDraft { DiskFormat = "qcow2" } }));

        Assert.Equal("ImportFormatConflict", error.ErrorId);
        Assert.Empty(repository.Service.FindImages(new ImagePs.Catalog.ImageQuery()));
    }

    [Fact]
    public void Cancelling_leaves_the_image_Queued_without_data()
    {
        using var repository = new TestRepository();
        var path = repository.Scratch.RandomFile("big.raw", 8 << 20);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => new ImageImporter(repository.Service, repository.Observer).Import(new ImportRequest { Path = path }, cancel.Token));

        var image = Assert.Single(repository.Service.FindImages(new ImagePs.Catalog.ImageQuery()));
        Assert.Equal(ImageStatus.Queued, image.Status);
        Assert.Empty(repository.StoreFiles());
    }
}
