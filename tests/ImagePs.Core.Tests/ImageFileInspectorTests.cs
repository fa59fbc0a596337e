using System.Security.Cryptography;
using ImagePs.Formats;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests;

/// <summary>Get-ImageFileInfo's core: real qemu-img files inspected, hashed in one read, nothing created.</summary>
public class ImageFileInspectorTests
{
    [Theory]
    [InlineData("qcow2", "qcow2", "v3")]
    [InlineData("vpc", "vhd", "dynamic")]
    [InlineData("vmdk", "vmdk", "monolithicSparse")]
    [InlineData("vdi", "vdi", "dynamic")]
    [InlineData("vhdx", "vhdx", "dynamic")]
    [InlineData("raw", "raw", null)]
    public void Reports_format_variant_and_sizes_of_a_qemu_img_file(string qemuFormat, string format, string? variant)
    {
        using var folder = new TestFolder();
        var path = folder.File("disk." + qemuFormat);
        QemuImg.Create(qemuFormat, path, "24M");
        QemuImg.Write(qemuFormat, path, 1);

        var info = ImageFileInspector.Inspect(path, hash: false);

        Assert.Equal(format, info.Format);
        Assert.Equal(variant, info.Variant);
        Assert.Equal(new FileInfo(path).Length, info.FileSize);
        Assert.Equal(QemuImg.VirtualSize(qemuFormat, path), info.VirtualSize);
        Assert.True(info.Safe);
        Assert.Null(info.Checksum);
    }

    [Fact]
    public void Hash_gives_md5_and_sha512_of_the_whole_file()
    {
        using var folder = new TestFolder();
        var path = folder.File("data.raw");
        var bytes = RandomNumberGenerator.GetBytes(2 * 1024 * 1024 + 17);
        File.WriteAllBytes(path, bytes);

        var info = ImageFileInspector.Inspect(path, hash: true);

        Assert.Equal(Convert.ToHexString(MD5.HashData(bytes)).ToLowerInvariant(), info.Checksum);
        Assert.Equal("sha512", info.OsHashAlgo);
        Assert.Equal(Convert.ToHexString(SHA512.HashData(bytes)).ToLowerInvariant(), info.OsHashValue);
    }

    [Fact]
    public void A_missing_file_is_SourceFileNotFound()
    {
        using var folder = new TestFolder();
        var error = Assert.Throws<ImagePsException>(() => ImageFileInspector.Inspect(folder.File("none.qcow2"), hash: false));
        Assert.Equal("SourceFileNotFound", error.ErrorId);
    }
}
