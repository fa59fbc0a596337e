using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using ImagePs.Settings;
using ImagePs.Store;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Store;

/// <summary>The S3 store against the test RGW, each test in a bucket of its own.</summary>
public class S3ImageStoreTests : IDisposable
{
    private readonly TestFolder _folder = new();
    private readonly string _bucket = TestServers.NewBucketName();

    public void Dispose()
    {
        TestServers.DeleteBucket(_bucket);
        _folder.Dispose();
    }

    private S3ImageStore Store(string extra = "", string? accessKey = null, string? secretKey = null, string? url = null, string? bucket = null)
    {
        TestServers.EnsureAvailable();
        var json = $$"""
            { "Store": { "Provider": "S3", "ServiceUrl": "{{url ?? TestServers.S3Url}}", "Bucket": "{{bucket ?? _bucket}}",
                         "AccessKey": "{{accessKey ?? TestServers.S3AccessKey}}", "SecretKey": "{{secretKey ?? TestServers.S3SecretKey}}" {{extra}} } }
            """;
        return new S3ImageStore(RepositorySettings.Parse(json, "imageps.json").Store);
    }

    private static StoreAddOptions Expect(long? size) => new() { ExpectedSize = size };

    private string[] Contents() => TestServers.BucketContents(_bucket);

    [ServerFact]
    public void Add_creates_the_bucket_streams_the_bytes_and_hashes_them_in_one_pass()
    {
        var store = Store();
        var source = _folder.RandomFile("src", 3 * 1024 * 1024 + 17);
        var bytes = File.ReadAllBytes(source);
        var id = Guid.NewGuid();

        StoredData stored;
        using (var data = File.OpenRead(source)) stored = store.Add(id, data, Expect(bytes.Length), CancellationToken.None);

        Assert.Equal(bytes.Length, stored.Size);
        Assert.Equal(Convert.ToHexString(MD5.HashData(bytes)).ToLowerInvariant(), stored.Md5);
        Assert.Equal("sha512", stored.HashAlgo);
        Assert.Equal(Convert.ToHexString(SHA512.HashData(bytes)).ToLowerInvariant(), stored.HashValue);
        Assert.Equal($"s3://{_bucket}/{id}", stored.Location);
        Assert.Equal(new[] { id.ToString() }, Contents());
        Assert.Equal(bytes, ReadAll(store.OpenRead(stored.Location)));
        Assert.Null(store.GetLocalPath(stored.Location));
    }

    [ServerTheory]
    [InlineData(17 * 1024 * 1024 + 3, 4)]   // three full 5 MiB parts and a short one
    [InlineData(10 * 1024 * 1024, 2)]       // exactly two parts
    public void Large_data_goes_in_a_multipart_upload_of_the_configured_part_size(int length, int parts)
    {
        var store = Store(", \"PartSize\": 5242880, \"ConcurrentParts\": 2");
        var source = _folder.RandomFile("src", length, seed: length);
        var bytes = File.ReadAllBytes(source);
        var id = Guid.NewGuid();

        StoredData stored;
        using (var data = File.OpenRead(source)) stored = store.Add(id, data, Expect(null), CancellationToken.None);

        var head = TestServers.S3.GetObjectMetadataAsync(_bucket, id.ToString()).GetAwaiter().GetResult();
        Assert.Equal(length, head.ContentLength);
        Assert.EndsWith($"-{parts}\"", head.ETag); // S3's ETag of a multipart object: <md5 of the part md5s>-<parts>
        Assert.Equal(Convert.ToHexString(SHA512.HashData(bytes)).ToLowerInvariant(), stored.HashValue);
        Assert.Equal(bytes, ReadAll(store.OpenRead(stored.Location)));
        Assert.Equal(new[] { id.ToString() }, Contents());
    }

    [ServerFact]
    public void More_bytes_than_declared_fail_early_and_leave_nothing()
    {
        var store = Store(", \"PartSize\": 5242880");
        var source = _folder.RandomFile("src", 24 * 1024 * 1024);
        using var data = new FaultyStream(File.OpenRead(source), long.MaxValue);

        var error = Assert.Throws<ImagePsException>(() => store.Add(Guid.NewGuid(), data, Expect(6 * 1024 * 1024), CancellationToken.None));

        Assert.Equal("ImageSizeMismatch", error.ErrorId);
        Assert.True(data.BytesRead <= 6 * 1024 * 1024 + SinglePassCopier.ChunkArrayLength, $"read {data.BytesRead} bytes before failing");
        Assert.Empty(Contents());
    }

    [ServerFact]
    public void A_source_that_fails_after_parts_were_uploaded_aborts_the_multipart_upload()
    {
        var store = Store(", \"PartSize\": 5242880");
        var source = _folder.RandomFile("src", 20 * 1024 * 1024);
        var id = Guid.NewGuid();
        var uploadsSeen = 0;
        using var data = new FaultyStream(File.OpenRead(source), 16 * 1024 * 1024, () =>
        {
            uploadsSeen = Contents().Count(c => c == "upload:" + id);
            throw new IOException("Simulated read error");
        });

        var error = Assert.Throws<ImagePsException>(() => store.Add(id, data, Expect(null), CancellationToken.None));

        Assert.Equal("SourceReadFailed", error.ErrorId);
        Assert.Equal(1, uploadsSeen); // the multipart upload was under way when the source failed
        Assert.Empty(Contents());
    }

    [ServerFact]
    public void A_cancelled_upload_leaves_nothing()
    {
        var store = Store(", \"PartSize\": 5242880");
        var source = _folder.RandomFile("src", 20 * 1024 * 1024);
        using var cancel = new CancellationTokenSource();
        using var data = new FaultyStream(File.OpenRead(source), 12 * 1024 * 1024, () => cancel.Cancel());

        Assert.ThrowsAny<OperationCanceledException>(() => store.Add(Guid.NewGuid(), data, Expect(null), cancel.Token));

        Assert.Empty(Contents());
    }

    [ServerFact]
    public void Data_that_is_already_stored_is_never_overwritten()
    {
        var store = Store();
        var id = Guid.NewGuid();
        using (var first = new MemoryStream(new byte[] { 1, 2, 3 })) store.Add(id, first, Expect(3), CancellationToken.None);

        using var second = new MemoryStream(new byte[] { 4, 5 });
        var error = Assert.Throws<ImageConflictException>(() => store.Add(id, second, Expect(2), CancellationToken.None));

        Assert.Equal("ImageDataExists", error.ErrorId);
        Assert.Equal(new byte[] { 1, 2, 3 }, ReadAll(store.OpenRead($"s3://{_bucket}/{id}")));
    }

    [ServerFact]
    public void Empty_data_is_an_empty_object()
    {
        var store = Store();
        var id = Guid.NewGuid();

        var stored = store.Add(id, new MemoryStream(), Expect(0), CancellationToken.None);

        Assert.Equal(0, stored.Size);
        Assert.Equal("d41d8cd98f00b204e9800998ecf8427e", stored.Md5);
        Assert.Empty(ReadAll(store.OpenRead(stored.Location)));
    }

    [ServerFact]
    public void DeleteLeftovers_aborts_uploads_into_the_image_and_deletes_its_uncommitted_object_only()
    {
        var store = Store();
        var id = Guid.NewGuid();
        var other = Guid.NewGuid();
        using (var data = new MemoryStream(new byte[100])) store.Add(id, data, Expect(100), CancellationToken.None);
        using (var data = new MemoryStream(new byte[100])) store.Add(other, data, Expect(100), CancellationToken.None);
        var s3 = TestServers.S3;
        var upload = s3.InitiateMultipartUploadAsync(_bucket, id.ToString()).GetAwaiter().GetResult();
        s3.UploadPartAsync(new UploadPartRequest
        {
            BucketName = _bucket, Key = id.ToString(), UploadId = upload.UploadId, PartNumber = 1,
            InputStream = new MemoryStream(new byte[1024]), UseChunkEncoding = false,
        }).GetAwaiter().GetResult();
        Assert.Contains("upload:" + id, Contents());

        store.DeleteLeftovers(id);

        Assert.Equal(new[] { other.ToString() }, Contents());
        store.DeleteLeftovers(id); // nothing left: no error
    }

    [ServerFact]
    public void Ranged_reads_serve_headers_anywhere_without_downloading_the_object()
    {
        var store = Store();
        var source = _folder.RandomFile("src", 12 * 1024 * 1024 + 5);
        var bytes = File.ReadAllBytes(source);
        var id = Guid.NewGuid();
        using (var data = File.OpenRead(source)) store.Add(id, data, Expect(bytes.Length), CancellationToken.None);

        using var stream = (S3ObjectStream)store.OpenRead($"s3://{_bucket}/{id}");
        Assert.True(stream.CanSeek);
        Assert.Equal(bytes.Length, stream.Length);
        foreach (var offset in new long[] { 0, 512, 7 * 1024 * 1024 + 3, bytes.Length - 512, 196608 })
        {
            stream.Position = offset;
            var buffer = new byte[512];
            var read = 0;
            while (read < buffer.Length && stream.Read(buffer, read, buffer.Length - read) is var n and > 0) read += n;
            Assert.Equal(bytes.AsSpan((int)offset, 512).ToArray(), buffer);
        }
        Assert.True(stream.Requests <= 4, $"{stream.Requests} GET requests"); // 512 at 0 is in the first 64 KiB range
    }

    [ServerFact]
    public void Sequential_reads_stream_in_a_few_growing_ranges()
    {
        var store = Store();
        var source = _folder.RandomFile("src", 40 * 1024 * 1024);
        var bytes = File.ReadAllBytes(source);
        var id = Guid.NewGuid();
        using (var data = File.OpenRead(source)) store.Add(id, data, Expect(bytes.Length), CancellationToken.None);

        using var stream = (S3ObjectStream)store.OpenRead($"s3://{_bucket}/{id}");
        Assert.Equal(bytes, ReadAll(stream));
        Assert.InRange(stream.Requests, 2, 12);
    }

    [ServerFact]
    public void Missing_data_is_not_found_and_foreign_locations_are_refused()
    {
        var store = Store();

        Assert.Throws<FileNotFoundException>(() => store.OpenRead($"s3://{_bucket}/{Guid.NewGuid()}"));
        foreach (var location in new[] { $"s3://other-bucket/{Guid.NewGuid()}", $"s3://{_bucket}/not-an-id", $"s3://{_bucket}/../{Guid.NewGuid()}", "file:///etc/passwd" })
        {
            Assert.Equal("InvalidLocation", Assert.Throws<ImagePsException>(() => store.OpenRead(location)).ErrorId);
            Assert.Equal("InvalidLocation", Assert.Throws<ImagePsException>(() => store.Delete(location)).ErrorId);
        }
        store.Delete($"s3://{_bucket}/{Guid.NewGuid()}"); // data already gone is not an error
    }

    [ServerFact]
    public void Credentials_that_may_not_create_the_bucket_are_StoreAccessDenied_naming_it()
    {
        var store = Store(accessKey: Environment.GetEnvironmentVariable("IMAGEPS_TEST_S3_LIMITED_ACCESS_KEY"),
            secretKey: Environment.GetEnvironmentVariable("IMAGEPS_TEST_S3_LIMITED_SECRET_KEY"));

        var error = Assert.Throws<ImagePsException>(() => store.Add(Guid.NewGuid(), new MemoryStream(new byte[10]), Expect(10), CancellationToken.None));

        Assert.Equal("StoreAccessDenied", error.ErrorId);
        Assert.Equal(ErrorKind.PermissionDenied, error.Kind);
        Assert.Contains(_bucket, error.Message);
        Assert.DoesNotContain(Environment.GetEnvironmentVariable("IMAGEPS_TEST_S3_LIMITED_SECRET_KEY")!, error.ToString());
        Assert.Empty(Contents());
    }

    [ServerFact]
    public void A_wrong_secret_key_is_refused_without_showing_it()
    {
        var store = Store(secretKey: "not-the-secret-key-0123456789");

        var error = Assert.Throws<ImagePsException>(() => store.Add(Guid.NewGuid(), new MemoryStream(new byte[10]), Expect(10), CancellationToken.None));

        Assert.Equal("StoreAccessDenied", error.ErrorId);
        Assert.DoesNotContain("not-the-secret-key", error.ToString());
    }

    [ServerFact]
    public void A_server_that_cannot_be_reached_is_StoreUnavailable()
    {
        var store = Store(url: "http://127.0.0.1:9");

        var error = Assert.Throws<ImagePsException>(() => store.Add(Guid.NewGuid(), new MemoryStream(new byte[10]), Expect(10), CancellationToken.None));

        Assert.Equal("StoreUnavailable", error.ErrorId);
        Assert.Equal(ErrorKind.ResourceUnavailable, error.Kind);
        Assert.Contains("127.0.0.1:9", error.Message);
    }

    private static byte[] ReadAll(Stream stream)
    {
        using (stream)
        {
            using var copy = new MemoryStream();
            var buffer = new byte[1 << 20];
            int n;
            while ((n = stream.Read(buffer, 0, buffer.Length)) > 0) copy.Write(buffer, 0, n);
            return copy.ToArray();
        }
    }
}
