using ImagePs.Domain;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests;

/// <summary>
/// The one verbose record an upload writes when it is done (Send-ImageData -Verbose): the stored
/// bytes, MD5 and SHA-512 as the image records them, and where the virtual size came from.
/// </summary>
public class UploadReportTests
{
    private static string Upload(TestRepository repository, string path, ImageDraft draft)
    {
        var image = repository.Service.CreateImage(draft);
        var before = repository.Observer.VerboseMessages.Count;
        var uploaded = repository.Service.UploadData(image.Id, path, null, CancellationToken.None);
        var report = Assert.Single(repository.Observer.VerboseMessages.Skip(before), m => m.StartsWith("Uploaded image", StringComparison.Ordinal));
        Assert.Contains($"Uploaded image '{uploaded}' from '{path}':", report);
        Assert.Contains($"\n- data: {uploaded.Size} bytes in ", report);
        Assert.Contains("\n- MD5: " + uploaded.Checksum + "\n", report);
        Assert.Contains("\n- SHA-512: " + uploaded.OsHashValue + "\n", report);
        return report;
    }

    [Fact]
    public void A_qcow2_upload_reports_its_figures_and_that_qemu_img_agreed()
    {
        using var repository = new TestRepository();
        var path = repository.Scratch.File("disk.qcow2");
        QemuImg.Create("qcow2", path, "64M");
        QemuImg.Write("qcow2", path, 1);

        var report = Upload(repository, path, new ImageDraft { Name = "disk", DiskFormat = "qcow2", ContainerFormat = "bare" });

        Assert.EndsWith($"virtual size: {64L << 20} bytes, from ImagePs's inspector; qemu-img agreed", report);
        Assert.Equal(64L << 20, QemuImg.VirtualSize("qcow2", path));
    }

    [Fact]
    public void Without_qemu_img_by_setting_the_report_says_why_it_did_not_run()
    {
        using var repository = new TestRepository("""{ "VirtualSizeProbe": "native" }""");
        var path = repository.Scratch.RandomFile("disk.raw", 5120, 7);

        var report = Upload(repository, path, new ImageDraft { Name = "raw", DiskFormat = "raw", ContainerFormat = "bare" });

        Assert.EndsWith("virtual size: 5120 bytes, from ImagePs's inspector; qemu-img not run: \"VirtualSizeProbe\" is \"native\" in imageps.json", report);
    }

    [Fact]
    public void A_container_that_is_not_a_disk_reports_no_virtual_size_and_why()
    {
        using var repository = new TestRepository();
        var path = repository.Scratch.RandomFile("bundle.ova", 3000, 8);

        var report = Upload(repository, path, new ImageDraft { Name = "bundle", DiskFormat = "vmdk", ContainerFormat = "ova" });

        Assert.EndsWith("virtual size: none (container format ova is not inspected as a disk, and qemu-img is not run)", report);
    }
}
