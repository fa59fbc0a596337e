using ImagePs.Formats;
using ImagePs.Settings;
using Xunit;

namespace ImagePs.Tests.Settings;

/// <summary>The Catalog and Store sections of imageps.json, and the secrets they may take from the environment.</summary>
public class BackendSettingsTests
{
    private static readonly Dictionary<string, string> NoEnvironment = new();

    private static RepositorySettings Parse(string json, IReadOnlyDictionary<string, string>? environment = null) =>
        RepositorySettings.Parse(json, "/repo/imageps.json", name => (environment ?? NoEnvironment).TryGetValue(name, out var value) ? value : null);

    private static ImagePsException Invalid(string json, IReadOnlyDictionary<string, string>? environment = null) =>
        Assert.Throws<ImagePsException>(() => Parse(json, environment));

    private const string S3 = """
        "Store": { "Provider": "S3", "ServiceUrl": "http://127.0.0.1:7480", "Bucket": "images", "AccessKey": "AK", "SecretKey": "SK" }
        """;

    [Fact]
    public void The_defaults_are_the_embedded_catalog_and_store()
    {
        var settings = Parse("{}");

        Assert.Equal(CatalogProvider.Sqlite, settings.Catalog.Provider);
        Assert.Null(settings.Catalog.ConnectionString);
        Assert.Equal(StoreProvider.FileSystem, settings.Store.Provider);
        Assert.Null(settings.Store.ServiceUrl);
    }

    [Fact]
    public void A_postgresql_catalog_and_an_s3_store_are_read_from_the_file()
    {
        var settings = Parse("""
            {
              "Catalog": { "Provider": "PostgreSql", "ConnectionString": "Host=127.0.0.1;Database=catalog;Username=catalog" },
              "Store": { "Provider": "S3", "ServiceUrl": "http://127.0.0.1:7480", "Bucket": "images", "AccessKey": "AK", "SecretKey": "SK",
                         "Region": "eu-west-1", "ForcePathStyle": false, "PartSize": 16777216, "ConcurrentParts": 4 },
            }
            """);

        Assert.Equal(CatalogProvider.PostgreSql, settings.Catalog.Provider);
        Assert.Equal("Host=127.0.0.1;Database=catalog;Username=catalog", settings.Catalog.ConnectionString);
        Assert.Equal(StoreProvider.S3, settings.Store.Provider);
        Assert.Equal(new Uri("http://127.0.0.1:7480"), settings.Store.ServiceUrl);
        Assert.Equal(("images", "AK", "SK", "eu-west-1"), (settings.Store.Bucket, settings.Store.AccessKey, settings.Store.SecretKey, settings.Store.Region));
        Assert.False(settings.Store.ForcePathStyle);
        Assert.Equal((16L << 20, 4), (settings.Store.PartSize, settings.Store.ConcurrentParts));
    }

    [Fact]
    public void S3_defaults_suit_ceph_rgw()
    {
        var store = Parse("{" + S3 + "}").Store;

        Assert.Equal("us-east-1", store.Region);
        Assert.True(store.ForcePathStyle);
        Assert.Equal(8L << 20, store.PartSize);
        Assert.Equal(3, store.ConcurrentParts);
    }

    [Fact]
    public void Secrets_missing_from_the_file_come_from_the_environment()
    {
        var environment = new Dictionary<string, string>
        {
            [CatalogSettings.ConnectionStringVariable] = "Host=db;Username=u;Password=p",
            [StoreSettings.AccessKeyVariable] = "ENV-AK",
            [StoreSettings.SecretKeyVariable] = "ENV-SK",
        };

        var settings = Parse("""
            { "Catalog": { "Provider": "PostgreSql" },
              "Store": { "Provider": "S3", "ServiceUrl": "https://s3.example.org", "Bucket": "images" } }
            """, environment);

        Assert.Equal("Host=db;Username=u;Password=p", settings.Catalog.ConnectionString);
        Assert.Equal(("ENV-AK", "ENV-SK"), (settings.Store.AccessKey, settings.Store.SecretKey));
    }

    [Fact]
    public void The_file_wins_over_the_environment()
    {
        var environment = new Dictionary<string, string> { [StoreSettings.SecretKeyVariable] = "ENV-SK" };

        Assert.Equal("SK", Parse("{" + S3 + "}", environment).Store.SecretKey);
    }

    [Fact]
    public void Secrets_are_not_public_and_not_in_ToString()
    {
        var settings = Parse("""{ "Catalog": { "Provider": "PostgreSql", "ConnectionString": "Host=h;Password=pw-secret" }, """ + S3 + "}");

        foreach (var type in new[] { typeof(CatalogSettings), typeof(StoreSettings) })
            Assert.DoesNotContain(type.GetProperties(), p => p.Name is "ConnectionString" or "AccessKey" or "SecretKey");
        Assert.DoesNotContain("pw-secret", settings.Catalog.ToString());
        Assert.DoesNotContain("SK", settings.Store.ToString());
    }

    [Theory]
    [InlineData("""{ "Catalog": { "Provider": "Postgres" } }""", "Catalog.Provider", "Sqlite, PostgreSql")]
    [InlineData("""{ "Catalog": { "Provider": "postgresql" } }""", "Catalog.Provider", "Sqlite, PostgreSql")]
    [InlineData("""{ "Catalog": { "Provider": "PostgreSql" } }""", "Catalog.ConnectionString", "IMAGEPS_CATALOG_CONNECTION_STRING")]
    [InlineData("""{ "Catalog": { "Provider": "PostgreSql", "ConnectionString": "" } }""", "Catalog.ConnectionString", "non-empty")]
    [InlineData("""{ "Catalog": { "ConnectionString": "Host=h" } }""", "Catalog.ConnectionString", "only with Provider PostgreSql")]
    [InlineData("""{ "Catalog": { "Provider": "PostgreSql", "ConnectionString": "Host=h", "Schema": "x" } }""", "Catalog.Schema", "unknown")]
    [InlineData("""{ "Catalog": "PostgreSql" }""", "Catalog", "object")]
    [InlineData("""{ "Store": { "Provider": "s3" } }""", "Store.Provider", "FileSystem, S3")]
    [InlineData("""{ "Store": { "Provider": "S3", "Bucket": "images" } }""", "Store.ServiceUrl", "required")]
    [InlineData("""{ "Store": { "Provider": "S3", "ServiceUrl": "http://h" } }""", "Store.Bucket", "required")]
    [InlineData("""{ "Store": { "Provider": "S3", "ServiceUrl": "http://h", "Bucket": "images" } }""", "Store.AccessKey", "IMAGEPS_S3_ACCESS_KEY")]
    [InlineData("""{ "Store": { "Provider": "S3", "ServiceUrl": "http://h", "Bucket": "images", "AccessKey": "AK" } }""", "Store.SecretKey", "IMAGEPS_S3_SECRET_KEY")]
    [InlineData("""{ "Store": { "Provider": "S3", "ServiceUrl": "ftp://h", "Bucket": "images", "AccessKey": "a", "SecretKey": "s" } }""", "Store.ServiceUrl", "http or https")]
    [InlineData("""{ "Store": { "Provider": "S3", "ServiceUrl": "http://user:pw@h", "Bucket": "images", "AccessKey": "a", "SecretKey": "s" } }""", "Store.ServiceUrl", "without user")]
    [InlineData("""{ "Store": { "Provider": "S3", "ServiceUrl": "http://h", "Bucket": "Images", "AccessKey": "a", "SecretKey": "s" } }""", "Store.Bucket", "bucket name")]
    [InlineData("""{ "Store": { "Provider": "S3", "ServiceUrl": "http://h", "Bucket": "ab", "AccessKey": "a", "SecretKey": "s" } }""", "Store.Bucket", "bucket name")]
    [InlineData("""{ "Store": { "Provider": "S3", "ServiceUrl": "http://h", "Bucket": "a..b", "AccessKey": "a", "SecretKey": "s" } }""", "Store.Bucket", "bucket name")]
    [InlineData("""{ "Store": { "Provider": "S3", "ServiceUrl": "http://h", "Bucket": "images", "AccessKey": "a", "SecretKey": "s", "PartSize": 1048576 } }""", "Store.PartSize", "5242880 to 1073741824")]
    [InlineData("""{ "Store": { "Provider": "S3", "ServiceUrl": "http://h", "Bucket": "images", "AccessKey": "a", "SecretKey": "s", "ConcurrentParts": 0 } }""", "Store.ConcurrentParts", "1 to 16")]
    [InlineData("""{ "Store": { "Provider": "S3", "ServiceUrl": "http://h", "Bucket": "images", "AccessKey": "a", "SecretKey": "s", "ForcePathStyle": "yes" } }""", "Store.ForcePathStyle", "true or false")]
    [InlineData("""{ "Store": { "Bucket": "images" } }""", "Store.Bucket", "only with Provider S3")]
    [InlineData("""{ "Store": { "Provider": "S3", "ServiceUrl": "http://h", "Bucket": "images", "AccessKey": "a", "SecretKey": "s", "Endpoint": "x" } }""", "Store.Endpoint", "unknown")]
    [InlineData("""{ "VirtualSizeProbe": "both", "Store": { "Provider": "S3", "ServiceUrl": "http://h", "Bucket": "images", "AccessKey": "a", "SecretKey": "s" } }""", "VirtualSizeProbe", "native")]
    [InlineData("""{ "VirtualSizeProbe": "qemu-img", "Store": { "Provider": "S3", "ServiceUrl": "http://h", "Bucket": "images", "AccessKey": "a", "SecretKey": "s" } }""", "VirtualSizeProbe", "native")]
    public void A_missing_or_wrong_setting_is_InvalidSettings_naming_the_key(string json, string key, string reason)
    {
        var error = Invalid(json);

        Assert.Equal("InvalidSettings", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, error.Kind);
        Assert.Contains($"'{key}'", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void The_native_probe_is_allowed_with_an_s3_store()
    {
        Assert.Equal(VirtualSizeProbeMode.Native, Parse("""{ "VirtualSizeProbe": "native", """ + S3 + "}").VirtualSizeProbe);
    }
}
