using ImagePs.Formats;
using ImagePs.Settings;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Settings;

public class RepositorySettingsTests
{
    [Fact]
    public void Defaults_are_glances()
    {
        var settings = RepositorySettings.Parse("{}", "imageps.json");

        Assert.Equal(1L << 40, settings.ImageSizeCap);
        Assert.Null(settings.QemuImgPath);
        Assert.True(settings.RequireDiskFormatMatch);
        Assert.Null(settings.VirtualSizeProbe);
    }

    [Theory]
    [InlineData("native", VirtualSizeProbeMode.Native)]
    [InlineData("qemu-img", VirtualSizeProbeMode.QemuImg)]
    [InlineData("both", VirtualSizeProbeMode.Both)]
    public void Format_inspection_settings_are_read(string probe, object expectedMode)
    {
        var expected = (VirtualSizeProbeMode)expectedMode;
        var settings = RepositorySettings.Parse($"{{ \"RequireDiskFormatMatch\": false, \"VirtualSizeProbe\": \"{probe}\" }}", "imageps.json");

        Assert.False(settings.RequireDiskFormatMatch);
        Assert.Equal(expected, settings.VirtualSizeProbe);
    }

    [Fact]
    public void Values_are_read_with_comments_and_trailing_commas()
    {
        var settings = RepositorySettings.Parse("""
            {
              // 10 GiB
              "ImageSizeCap": 10737418240,
              "QemuImgPath": "/opt/qemu/bin/qemu-img",
            }
            """, "imageps.json");

        Assert.Equal(10737418240, settings.ImageSizeCap);
        Assert.Equal("/opt/qemu/bin/qemu-img", settings.QemuImgPath);
    }

    [Theory]
    [InlineData("{\"ImageSizeCapp\": 1}", "ImageSizeCapp")]
    [InlineData("{\"imagesizecap\": 1}", "imagesizecap")]
    [InlineData("{\"ImageSizeCap\": \"1GB\"}", "ImageSizeCap")]
    [InlineData("{\"ImageSizeCap\": 0}", "ImageSizeCap")]
    [InlineData("{\"ImageSizeCap\": 1.5}", "ImageSizeCap")]
    [InlineData("{\"QemuImgPath\": 3}", "QemuImgPath")]
    [InlineData("{\"RequireDiskFormatMatch\": \"no\"}", "RequireDiskFormatMatch")]
    [InlineData("{\"RequireDiskFormatMatch\": 0}", "RequireDiskFormatMatch")]
    [InlineData("{\"VirtualSizeProbe\": \"qemu\"}", "VirtualSizeProbe")]
    [InlineData("{\"VirtualSizeProbe\": \"Native\"}", "VirtualSizeProbe")]
    [InlineData("{\"VirtualSizeProbe\": true}", "VirtualSizeProbe")]
    [InlineData("{\"DelayedDeleteSeconds\": -1}", "DelayedDeleteSeconds")]
    [InlineData("{\"DelayedDeleteSeconds\": 1.5}", "DelayedDeleteSeconds")]
    [InlineData("{\"DelayedDeleteSeconds\": \"1h\"}", "DelayedDeleteSeconds")]
    [InlineData("[]", "(file)")]
    [InlineData("{ broken", "(file)")]
    public void Bad_settings_name_the_key(string json, string key)
    {
        var error = Assert.Throws<ImagePsException>(() => RepositorySettings.Parse(json, "/repo/imageps.json"));

        Assert.Equal("InvalidSettings", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, error.Kind);
        Assert.Contains(key, error.Message);
        Assert.Contains("/repo/imageps.json", error.Message);
    }

    [Fact]
    public void Repository_folder_follows_IMAGEPS_HOME_on_every_call()
    {
        using var one = new TestFolder();
        using var two = new TestFolder();
        var previous = Environment.GetEnvironmentVariable(RepositoryFolder.HomeVariable);
        try
        {
            Environment.SetEnvironmentVariable(RepositoryFolder.HomeVariable, one.Path);
            Assert.Equal(one.Path, RepositoryFolder.FromEnvironment().Root);
            Environment.SetEnvironmentVariable(RepositoryFolder.HomeVariable, two.Path);
            Assert.Equal(two.Path, RepositoryFolder.FromEnvironment().Root);
            Environment.SetEnvironmentVariable(RepositoryFolder.HomeVariable, null);
            Assert.EndsWith(Path.Combine("share", "ImagePs"), RepositoryFolder.FromEnvironment().Root);
        }
        finally
        {
            Environment.SetEnvironmentVariable(RepositoryFolder.HomeVariable, previous);
        }
    }

    [Fact]
    public void Opening_creates_the_folder_catalog_and_store()
    {
        using var folder = new TestFolder();
        var repositoryFolder = new RepositoryFolder(Path.Combine(folder.Path, "a", "b"));

        RepositoryBackend.Open(repositoryFolder);

        Assert.True(File.Exists(repositoryFolder.CatalogPath));
        Assert.True(Directory.Exists(repositoryFolder.StorePath));
    }
}
