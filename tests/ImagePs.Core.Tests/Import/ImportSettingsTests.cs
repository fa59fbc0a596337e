using ImagePs.Import;
using ImagePs.Settings;
using Xunit;

namespace ImagePs.Tests.Import;

/// <summary>The imageps.json Import section: defaults, every key, and each bad value refused by name.</summary>
public class ImportSettingsTests
{
    private const string SettingsPath = "/repo/imageps.json";

    internal static ImportSettings Parse(string section) =>
        RepositorySettings.Parse("{ \"Import\": " + section + " }", SettingsPath).Import;

    [Fact]
    public void Defaults_allow_any_host_and_port_with_five_resumes_and_a_minute_of_patience()
    {
        foreach (var settings in new[] { RepositorySettings.Parse("{}", SettingsPath).Import, Parse("{}"), ImportSettings.Default })
        {
            Assert.Empty(settings.AllowedSchemes);
            Assert.Empty(settings.DisallowedSchemes);
            Assert.Empty(settings.AllowedHosts);
            Assert.Empty(settings.DisallowedHosts);
            Assert.Empty(settings.AllowedPorts);
            Assert.Empty(settings.DisallowedPorts);
            Assert.Equal(5, settings.MaxResumes);
            Assert.Equal(60, settings.StallTimeoutSeconds);
        }
    }

    [Fact]
    public void Every_key_is_read()
    {
        var settings = Parse("""
            {
              "AllowedSchemes": ["https"], "DisallowedSchemes": ["http"],
              "AllowedHosts": ["images.example.org", "mirror.example.org"], "DisallowedHosts": ["169.254.169.254"],
              "AllowedPorts": [443, 8443], "DisallowedPorts": [25],
              "MaxResumes": 0, "StallTimeoutSeconds": 1
            }
            """);
        Assert.Equal(new[] { "https" }, settings.AllowedSchemes);
        Assert.Equal(new[] { "http" }, settings.DisallowedSchemes);
        Assert.Equal(new[] { "images.example.org", "mirror.example.org" }, settings.AllowedHosts);
        Assert.Equal(new[] { "169.254.169.254" }, settings.DisallowedHosts);
        Assert.Equal(new[] { 443, 8443 }, settings.AllowedPorts);
        Assert.Equal(new[] { 25 }, settings.DisallowedPorts);
        Assert.Equal(0, settings.MaxResumes);
        Assert.Equal(1, settings.StallTimeoutSeconds);
    }

    [Theory]
    [InlineData("5", "Import")]
    [InlineData("[]", "Import")]
    [InlineData("{ \"MaxResume\": 3 }", "Import.MaxResume")]
    [InlineData("{ \"maxResumes\": 3 }", "Import.maxResumes")]
    [InlineData("{ \"MaxResumes\": -1 }", "Import.MaxResumes")]
    [InlineData("{ \"MaxResumes\": 2.5 }", "Import.MaxResumes")]
    [InlineData("{ \"MaxResumes\": \"5\" }", "Import.MaxResumes")]
    [InlineData("{ \"StallTimeoutSeconds\": 0 }", "Import.StallTimeoutSeconds")]
    [InlineData("{ \"StallTimeoutSeconds\": null }", "Import.StallTimeoutSeconds")]
    [InlineData("{ \"AllowedSchemes\": \"https\" }", "Import.AllowedSchemes")]
    [InlineData("{ \"DisallowedSchemes\": [1] }", "Import.DisallowedSchemes")]
    [InlineData("{ \"AllowedHosts\": [\"\"] }", "Import.AllowedHosts")]
    [InlineData("{ \"DisallowedHosts\": [\" example.org\"] }", "Import.DisallowedHosts")]
    [InlineData("{ \"AllowedPorts\": [0] }", "Import.AllowedPorts")]
    [InlineData("{ \"AllowedPorts\": [65536] }", "Import.AllowedPorts")]
    [InlineData("{ \"DisallowedPorts\": [\"80\"] }", "Import.DisallowedPorts")]
    [InlineData("{ \"DisallowedPorts\": 80 }", "Import.DisallowedPorts")]
    public void A_bad_value_is_InvalidSettings_naming_the_key(string section, string key)
    {
        var error = Assert.ThrowsAny<ImagePsException>(() => Parse(section));
        Assert.Equal("InvalidSettings", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, error.Kind);
        Assert.Contains("'" + key + "'", error.Message);
        Assert.Contains(SettingsPath, error.Message);
    }
}
