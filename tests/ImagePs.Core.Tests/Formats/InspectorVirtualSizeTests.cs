using ImagePs.Formats;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Formats;

/// <summary>
/// The inspector's virtual size equals qemu-img's for every format qemu-img creates here, at several
/// sizes (unaligned, small, large, beyond vpc's CHS limits), computed by qemu-img in the same test.
/// </summary>
public class InspectorVirtualSizeTests : IDisposable
{
    private readonly TestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    public static TheoryData<string, string, string, string> Created()
    {
        var data = new TheoryData<string, string, string, string>();
        var sizes = new[] { "1000000", "16M", "100M", "1G", "7G" };
        foreach (var size in sizes)
        {
            data.Add("qcow2", "", size, "qcow2");
            data.Add("qcow2", "compat=0.10", size, "qcow2");
            data.Add("vmdk", "", size, "vmdk");
            data.Add("vmdk", "subformat=monolithicSparse", size, "vmdk");
            data.Add("vmdk", "subformat=streamOptimized", size, "vmdk");
            data.Add("vpc", "", size, "vhd");
            data.Add("vpc", "force_size=on", size, "vhd");
            data.Add("vpc", "subformat=fixed", size, "vhd");
            data.Add("vpc", "subformat=fixed,force_size=on", size, "vhd");
            data.Add("vhdx", "", size, "vhdx");
            data.Add("vdi", "", size, "vdi");
            data.Add("raw", "", size, "raw");
            data.Add("qed", "", size, "qed");
        }
        foreach (var size in new[] { "127G", "1999G" })
        {
            data.Add("vpc", "", size, "vhd");
            data.Add("vpc", "force_size=on", size, "vhd");
            data.Add("vhdx", "", size, "vhdx");
            data.Add("qcow2", "", size, "qcow2");
        }
        data.Add("vhdx", "block_size=8388608", "10G", "vhdx");
        data.Add("vhdx", "subformat=fixed", "16M", "vhdx");
        data.Add("vdi", "static=on", "16M", "vdi");
        data.Add("qcow2", "cluster_size=512", "16M", "qcow2");
        data.Add("qcow2", "cluster_size=2M", "16M", "qcow2");
        return data;
    }

    [Theory]
    [MemberData(nameof(Created))]
    public void Virtual_size_equals_qemu_img_for_images_it_creates(string qemuFormat, string options, string size, string expectedFormat)
    {
        var path = _folder.File("disk.img");
        QemuImg.Create(qemuFormat, path, size, options.Length == 0 ? Array.Empty<string>() : options.Split(','));

        var inspection = ImageInspector.Inspect(path);

        Assert.Equal(expectedFormat, inspection.Format);
        Assert.Equal(QemuImg.VirtualSize(qemuFormat, path), inspection.VirtualSize);
        if (expectedFormat == "qed") Assert.Equal("qed", Assert.Single(inspection.Findings).Check);
        else Assert.True(inspection.IsSafe, inspection.DescribeFindings());
    }

    [Theory]
    [InlineData("qcow2", "64M", 5)]
    [InlineData("vmdk", "64M", 3)]
    [InlineData("vpc", "64M", 3)]
    [InlineData("vhdx", "64M", 3)]
    [InlineData("vdi", "64M", 3)]
    public void Virtual_size_holds_once_qemu_io_wrote_data(string qemuFormat, string size, int writeMiB)
    {
        var path = _folder.File("disk.img");
        QemuImg.Create(qemuFormat, path, size);
        QemuImg.Write(qemuFormat, path, writeMiB);

        var inspection = ImageInspector.Inspect(path);

        Assert.True(inspection.IsSafe, inspection.DescribeFindings());
        Assert.Equal(QemuImg.VirtualSize(qemuFormat, path), inspection.VirtualSize);
    }

    [Fact]
    public void StreamOptimized_vmdk_with_written_data_keeps_its_size()
    {
        var path = _folder.File("stream.vmdk");
        QemuImg.Create("vmdk", path, "32M", "subformat=streamOptimized");
        QemuImg.Write("vmdk", path, 2);

        var inspection = ImageInspector.Inspect(path);

        Assert.True(inspection.IsSafe, inspection.DescribeFindings());
        Assert.Equal("streamOptimized", inspection.Variant);
        Assert.Equal(QemuImg.VirtualSize("vmdk", path), inspection.VirtualSize);
    }

    [Theory]
    [InlineData(16L << 20)]
    [InlineData(1000000L)]
    [InlineData(1L << 30)]
    public void Luks_virtual_size_is_the_payload_as_qemu_img_reports_it(long size)
    {
        var path = _folder.File("disk.luks");
        LuksImage.WriteLuks1(path, size);

        var inspection = ImageInspector.Inspect(path);

        Assert.Equal("luks", inspection.Format);
        Assert.True(inspection.IsSafe, inspection.DescribeFindings());
        Assert.Equal(QemuImg.VirtualSize("luks", path), inspection.VirtualSize);
    }

    [Theory]
    [InlineData(4096)]
    [InlineData(4097)]
    [InlineData(100)]
    [InlineData(0)]
    public void Raw_virtual_size_is_the_file_in_whole_sectors_like_qemu(int length)
    {
        var path = _folder.RandomFile("disk.raw", length, seed: 7);

        var inspection = ImageInspector.Inspect(path);

        Assert.Equal("raw", inspection.Format);
        Assert.Equal(QemuImg.VirtualSize("raw", path), inspection.VirtualSize);
    }

    [Fact]
    public void Hand_written_iso_is_detected_and_sized_as_qemu_reads_it()
    {
        var path = _folder.File("minimal.iso");
        IsoImage.WriteMinimal(path, sectors: 300);

        var inspection = ImageInspector.Inspect(path);

        Assert.Equal("iso", inspection.Format);
        Assert.True(inspection.IsSafe, inspection.DescribeFindings());
        Assert.Equal(QemuImg.VirtualSize("raw", path), inspection.VirtualSize);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Iso_made_by_xorriso_is_detected_hybrid_or_not(bool hybrid)
    {
        Assert.True(IsoImage.XorrisoAvailable, "xorriso is required by this test (build.ps1 installs it)");
        var content = Directory.CreateDirectory(_folder.File("content")).FullName;
        File.WriteAllText(Path.Combine(content, "readme.txt"), "hello");
        var path = _folder.File("made.iso");
        IsoImage.Make(path, content, hybrid);

        var inspection = ImageInspector.Inspect(path);

        Assert.Equal("iso", inspection.Format);
        Assert.True(inspection.IsSafe, inspection.DescribeFindings());
        Assert.Equal(hybrid ? new[] { "iso", "gpt" } : new[] { "iso" }, inspection.MatchedFormats);
        Assert.Equal(QemuImg.VirtualSize("raw", path), inspection.VirtualSize);
    }
}
