using ImagePs.Import;
using Xunit;

namespace ImagePs.Tests.Import;

/// <summary>Glance's import filtering rules: a non-empty allowed list wins over the disallowed one.</summary>
public class ImportFilterTests
{
    private static void Allowed(string settings, string url) => new ImportFilter(ImportSettingsTests.Parse(settings)).Check(new Uri(url));

    private static ImagePsException Refused(string settings, string url) =>
        Assert.ThrowsAny<ImagePsException>(() => Allowed(settings, url));

    [Theory]
    [InlineData("http://images.example.org/debian.qcow2")]
    [InlineData("https://images.example.org/debian.qcow2")]
    [InlineData("HTTPS://IMAGES.example.org:8443/debian.qcow2")]
    [InlineData("http://127.0.0.1:1/x")]
    [InlineData("http://[::1]:65535/x")]
    public void By_default_any_http_or_https_host_and_port_is_allowed(string url) => Allowed("{}", url);

    [Theory]
    [InlineData("ftp://images.example.org/debian.qcow2")]
    [InlineData("file:///etc/passwd")]
    [InlineData("/relative/debian.qcow2")]
    public void Only_absolute_http_and_https_are_supported_whatever_the_lists_say(string url)
    {
        var error = Refused("{ \"AllowedSchemes\": [\"ftp\", \"file\"] }", url);
        Assert.Equal("ImportUriUnsupported", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
    }

    [Theory]
    [InlineData("{ \"AllowedSchemes\": [\"https\"] }", "http://example.org/x", "scheme 'http' is not in AllowedSchemes")]
    [InlineData("{ \"DisallowedSchemes\": [\"HTTP\"] }", "http://example.org/x", "scheme 'http' is in DisallowedSchemes")]
    [InlineData("{ \"AllowedHosts\": [\"images.example.org\"] }", "http://other.example.org/x", "host 'other.example.org' is not in AllowedHosts")]
    [InlineData("{ \"DisallowedHosts\": [\"Metadata.Internal\"] }", "http://METADATA.internal/x", "host 'metadata.internal' is in DisallowedHosts")]
    [InlineData("{ \"DisallowedHosts\": [\"169.254.169.254\"] }", "http://169.254.169.254/latest/", "host '169.254.169.254' is in DisallowedHosts")]
    [InlineData("{ \"DisallowedHosts\": [\"::1\"] }", "http://[::1]:8080/x", "host '::1' is in DisallowedHosts")]
    [InlineData("{ \"AllowedPorts\": [443] }", "http://example.org/x", "port 80 is not in AllowedPorts")]
    [InlineData("{ \"AllowedPorts\": [80, 443] }", "https://example.org:8443/x", "port 8443 is not in AllowedPorts")]
    [InlineData("{ \"DisallowedPorts\": [8080] }", "http://example.org:8080/x", "port 8080 is in DisallowedPorts")]
    public void A_refused_url_is_ImportUriRefused_naming_the_rule(string settings, string url, string rule)
    {
        var error = Refused(settings, url);
        Assert.Equal("ImportUriRefused", error.ErrorId);
        Assert.Equal(ErrorKind.PermissionDenied, error.Kind);
        Assert.Contains(rule, error.Message);
        Assert.Contains(new Uri(url).AbsoluteUri, error.Message);
    }

    [Theory]
    [InlineData("{ \"AllowedSchemes\": [\"http\"], \"DisallowedSchemes\": [\"http\"] }", "http://example.org/x")]
    [InlineData("{ \"AllowedHosts\": [\"example.org\"], \"DisallowedHosts\": [\"example.org\"] }", "http://example.org/x")]
    [InlineData("{ \"AllowedPorts\": [8080], \"DisallowedPorts\": [8080] }", "http://example.org:8080/x")]
    [InlineData("{ \"AllowedHosts\": [\"EXAMPLE.ORG\"] }", "http://example.org/x")]
    [InlineData("{ \"AllowedPorts\": [443] }", "https://example.org/x")]
    [InlineData("{ \"DisallowedSchemes\": [\"http\"] }", "https://example.org/x")]
    [InlineData("{ \"DisallowedHosts\": [\"example.org\"] }", "http://www.example.org/x")]
    public void A_non_empty_allowed_list_wins_and_other_urls_pass(string settings, string url) => Allowed(settings, url);

    [Fact]
    public void The_message_never_holds_the_credentials_of_the_url()
    {
        var error = Refused("{ \"DisallowedPorts\": [8080] }", "http://alice:s3cret@example.org:8080/disk.qcow2?x=1");
        Assert.Contains("http://example.org:8080/disk.qcow2?x=1", error.Message);
        Assert.DoesNotContain("s3cret", error.Message);
        Assert.DoesNotContain("alice", error.Message);
        Assert.Equal("http://example.org:8080/disk.qcow2?x=1", UriText.Safe(new Uri("http://alice:s3cret@example.org:8080/disk.qcow2?x=1")));
        Assert.Equal("https://example.org/a%20b", UriText.Safe(new Uri("https://example.org/a%20b")));
    }
}
