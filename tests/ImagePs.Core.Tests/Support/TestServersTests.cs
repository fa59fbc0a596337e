using Amazon.S3.Model;
using Xunit;

namespace ImagePs.Tests.Support;

/// <summary>
/// The test servers are there: skipped (saying why) without them, failing when they are required.
/// Without them every contract test runs on the embedded backend only, so this skip is the one
/// visible sign in the summary.
/// </summary>
public class TestServersTests
{
    [ServerFact]
    public void The_postgresql_and_s3_test_servers_answer()
    {
        TestServers.EnsureAvailable();
        var schema = TestServers.NewSchema();
        try
        {
            Assert.Equal(2, Convert.ToInt32(TestServers.Scalar(schema, "SELECT 1 + 1")));
        }
        finally
        {
            TestServers.DropSchema(schema);
        }
        var buckets = TestServers.S3.ListBucketsAsync(new ListBucketsRequest()).GetAwaiter().GetResult();
        Assert.Equal(System.Net.HttpStatusCode.OK, buckets.HttpStatusCode);
    }
}
