using ImagePs.Formats;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Formats;

public class DiskFormatDetectorTests : IDisposable
{
    private readonly TestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("qcow2", "qcow2", new string[0])]
    [InlineData("vmdk", "vmdk", new string[0])]
    [InlineData("vmdk", "vmdk", new[] { "subformat=streamOptimized" })]
    [InlineData("vhdx", "vhdx", new string[0])]
    [InlineData("vpc", "vhd", new string[0])]
    [InlineData("vpc", "vhd", new[] { "subformat=fixed" })]
    [InlineData("vdi", "vdi", new string[0])]
    public void Content_decides_whatever_the_extension(string qemuFormat, string expected, string[] options)
    {
        var path = _folder.File("disk.bin");   // misleading extension on purpose
        QemuImg.Create(qemuFormat, path, "16M", options);

        Assert.Equal(expected, DiskFormatDetector.Detect(path));
    }

    [Theory]
    [InlineData("disk.qcow2", "qcow2")]
    [InlineData("disk.VMDK", "vmdk")]
    [InlineData("disk.iso", "iso")]
    [InlineData("disk.img", "raw")]
    [InlineData("disk.unknown", "raw")]
    public void Extension_is_the_fallback_then_raw(string name, string expected)
    {
        var path = _folder.RandomFile(name, 70_000);

        Assert.Equal(expected, DiskFormatDetector.Detect(path));
    }

    [Fact]
    public void Empty_file_is_raw()
    {
        var path = _folder.File("empty");
        File.WriteAllBytes(path, Array.Empty<byte>());

        Assert.Equal("raw", DiskFormatDetector.Detect(path));
    }

    [Theory]
    [InlineData("{\"virtual-size\": 1073741824, \"format\": \"qcow2\"}", 1073741824L, null)]
    [InlineData("{\"format\": \"qcow2\"}", null, "no virtual-size")]
    [InlineData("{\"virtual-size\": -1}", null, "no virtual-size")]
    [InlineData("{\"virtual-size\": \"big\"}", null, "no virtual-size")]
    [InlineData("[1,2]", null, "no virtual-size")]
    [InlineData("not json", null, "not valid JSON")]
    public void Qemu_img_answers_are_parsed_strictly(string json, long? size, string? problem)
    {
        var result = QemuImgProbe.Parse(json);

        Assert.Equal(size, result.VirtualSize);
        if (problem is null) Assert.Null(result.Problem);
        else Assert.Contains(problem, result.Problem);
    }
}
