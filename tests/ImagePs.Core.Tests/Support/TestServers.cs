using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Npgsql;

namespace ImagePs.Tests.Support;

/// <summary>
/// The PostgreSQL server and the S3 API (Ceph RGW) that tests/Servers/Start-TestServers.ps1 started,
/// as build.ps1 hands them over in the environment. Each test repository gets its own PostgreSQL
/// schema and its own bucket, removed afterwards. Without the servers, the server-backed tests are
/// skipped (and say why), unless IMAGEPS_REQUIRE_SERVERS=1: then they fail.
/// </summary>
internal static class TestServers
{
    public const string PostgreSqlVariable = "IMAGEPS_TEST_POSTGRESQL";
    public const string S3UrlVariable = "IMAGEPS_TEST_S3_URL";
    public const string S3AccessKeyVariable = "IMAGEPS_TEST_S3_ACCESS_KEY";
    public const string S3SecretKeyVariable = "IMAGEPS_TEST_S3_SECRET_KEY";
    public const string UnavailableVariable = "IMAGEPS_TEST_SERVERS_UNAVAILABLE";
    public const string RequireVariable = "IMAGEPS_REQUIRE_SERVERS";

    private static readonly Lazy<AmazonS3Client> Client = new(() => new AmazonS3Client(
        new BasicAWSCredentials(S3AccessKey, S3SecretKey),
        new AmazonS3Config
        {
            ServiceURL = S3Url, ForcePathStyle = true, AuthenticationRegion = "us-east-1",
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        }));

    public static string? PostgreSql => Variable(PostgreSqlVariable);
    public static string S3Url => Variable(S3UrlVariable) ?? "";
    public static string S3AccessKey => Variable(S3AccessKeyVariable) ?? "";
    public static string S3SecretKey => Variable(S3SecretKeyVariable) ?? "";

    public static bool Available => PostgreSql is not null && Variable(S3UrlVariable) is not null;

    /// <summary>Set by build.ps1 when it runs as root: the servers are part of the gate, missing ones fail.</summary>
    public static bool Required => Variable(RequireVariable) == "1";

    public static string UnavailableReason =>
        Variable(UnavailableVariable) ?? $"{PostgreSqlVariable} and {S3UrlVariable} are not set (run the tests through build.ps1 Test, which starts the servers)";

    /// <summary>Throws (failing the test) when the servers are missing.</summary>
    public static void EnsureAvailable()
    {
        if (!Available) throw new InvalidOperationException("The PostgreSQL and S3 test servers are not available: " + UnavailableReason);
    }

    public static IAmazonS3 S3 => Client.Value;

    /// <summary>A new, empty schema; its name.</summary>
    public static string NewSchema()
    {
        EnsureAvailable();
        var schema = "t_" + Guid.NewGuid().ToString("N");
        Execute($"CREATE SCHEMA {schema}");
        return schema;
    }

    public static void DropSchema(string schema) => Execute($"DROP SCHEMA IF EXISTS {schema} CASCADE");

    /// <summary>
    /// The catalog's connection string for one schema. Every test catalog is another pool in this
    /// process: idle connections are closed after seconds, not Npgsql's default five minutes.
    /// </summary>
    public static string ConnectionString(string schema) =>
        new NpgsqlConnectionStringBuilder(PostgreSql) { SearchPath = schema, ConnectionIdleLifetime = 5, ConnectionPruningInterval = 1 }.ConnectionString;

    public static void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(PostgreSql) { Pooling = false }.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    public static object? Scalar(string schema, string sql)
    {
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString(schema)) { Pooling = false }.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return command.ExecuteScalar();
    }

    public static string NewBucketName() => "imageps-t-" + Guid.NewGuid().ToString("N");

    /// <summary>What the bucket holds: object keys, and "upload:&lt;key&gt;" for every multipart upload in progress.</summary>
    public static string[] BucketContents(string bucket)
    {
        try
        {
            var objects = S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket }).GetAwaiter().GetResult().S3Objects ?? new();
            var uploads = S3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket }).GetAwaiter().GetResult().MultipartUploads ?? new();
            return objects.Select(o => o.Key).Concat(uploads.Select(u => "upload:" + u.Key)).OrderBy(k => k, StringComparer.Ordinal).ToArray();
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucket")
        {
            return Array.Empty<string>();
        }
    }

    /// <summary>Removes the bucket and everything in it (best effort: the servers go at the end of the run anyway).</summary>
    public static void DeleteBucket(string bucket)
    {
        try
        {
            foreach (var upload in S3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket }).GetAwaiter().GetResult().MultipartUploads ?? new())
                S3.AbortMultipartUploadAsync(bucket, upload.Key, upload.UploadId).GetAwaiter().GetResult();
            foreach (var item in S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket }).GetAwaiter().GetResult().S3Objects ?? new())
                S3.DeleteObjectAsync(bucket, item.Key).GetAwaiter().GetResult();
            S3.DeleteBucketAsync(bucket).GetAwaiter().GetResult();
        }
        catch (AmazonS3Exception)
        {
        }
    }

    private static string? Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
