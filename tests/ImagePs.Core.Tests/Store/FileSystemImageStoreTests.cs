using System.Security.Cryptography;
using ImagePs.Store;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Store;

public class FileSystemImageStoreTests : IDisposable
{
    private readonly TestFolder _folder = new();
    private readonly FileSystemImageStore _store;

    public FileSystemImageStoreTests()
    {
        Directory.CreateDirectory(_folder.File("images"));
        _store = new FileSystemImageStore(_folder.File("images"));
    }

    public void Dispose() => _folder.Dispose();

    private static StoreAddOptions Expect(long? size) => new() { ExpectedSize = size };

    private string[] StoreFiles() => Directory.GetFiles(_store.Root).Select(Path.GetFileName).ToArray()!;

    [Fact]
    public void Add_writes_the_bytes_and_hashes_them_in_one_pass()
    {
        var source = _folder.RandomFile("src", 3 * 1024 * 1024 + 17);
        var bytes = File.ReadAllBytes(source);
        var id = Guid.NewGuid();

        StoredData stored;
        using (var data = File.OpenRead(source)) stored = _store.Add(id, data, Expect(bytes.Length), CancellationToken.None);

        Assert.Equal(bytes.Length, stored.Size);
        Assert.Equal(Convert.ToHexString(MD5.HashData(bytes)).ToLowerInvariant(), stored.Md5);
        Assert.Equal("sha512", stored.HashAlgo);
        Assert.Equal(Convert.ToHexString(SHA512.HashData(bytes)).ToLowerInvariant(), stored.HashValue);
        Assert.Equal(bytes, File.ReadAllBytes(_store.GetLocalPath(stored.Location)!));
        Assert.Equal(new[] { id.ToString() }, StoreFiles());
        Assert.StartsWith("file://", stored.Location);
    }

    [Fact]
    public void More_bytes_than_declared_fail_early_and_leave_nothing()
    {
        var source = _folder.RandomFile("src", 8 * 1024 * 1024);
        using var data = new FaultyStream(File.OpenRead(source), long.MaxValue);

        var error = Assert.Throws<ImagePsException>(() => _store.Add(Guid.NewGuid(), data, Expect(1024), CancellationToken.None));

        Assert.Equal("ImageSizeMismatch", error.ErrorId);
        Assert.True(data.BytesRead <= 1024 + SinglePassCopier.ChunkArrayLength, $"read {data.BytesRead} bytes before failing");
        Assert.Empty(StoreFiles());
    }

    [Fact]
    public void Fewer_bytes_than_declared_fail_and_leave_nothing()
    {
        var source = _folder.RandomFile("src", 1000);
        using var data = File.OpenRead(source);

        var error = Assert.Throws<ImagePsException>(() => _store.Add(Guid.NewGuid(), data, Expect(1001), CancellationToken.None));

        Assert.Equal("ImageSizeMismatch", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, error.Kind);
        Assert.Empty(StoreFiles());
    }

    [Fact]
    public void A_read_error_mid_stream_leaves_no_partial_file()
    {
        var source = _folder.RandomFile("src", 4 * 1024 * 1024);
        using var data = new FaultyStream(File.OpenRead(source), 3 * 1024 * 1024);

        var error = Assert.Throws<ImagePsException>(() => _store.Add(Guid.NewGuid(), data, Expect(null), CancellationToken.None));

        Assert.Equal("SourceReadFailed", error.ErrorId);
        Assert.Empty(StoreFiles());
    }

    [Fact]
    public void Existing_data_is_never_overwritten()
    {
        var id = Guid.NewGuid();
        var existing = Path.Combine(_store.Root, id.ToString());
        File.WriteAllText(existing, "original");
        using var data = new MemoryStream(new byte[100]);

        var error = Assert.Throws<ImageConflictException>(() => _store.Add(id, data, Expect(100), CancellationToken.None));

        Assert.Equal("ImageDataExists", error.ErrorId);
        Assert.Equal("original", File.ReadAllText(existing));
        Assert.Equal(new[] { id.ToString() }, StoreFiles());
    }

    [Fact]
    public void Cancellation_leaves_no_partial_file()
    {
        using var cancel = new CancellationTokenSource();
        var source = _folder.RandomFile("src", 4 * 1024 * 1024);
        using var data = new FaultyStream(File.OpenRead(source), 2 * 1024 * 1024, cancel.Cancel);

        Assert.ThrowsAny<OperationCanceledException>(() => _store.Add(Guid.NewGuid(), data, Expect(null), cancel.Token));
        Assert.Empty(StoreFiles());
    }

    [Fact]
    public void Delete_removes_the_data_and_tolerates_missing_data()
    {
        StoredData stored;
        using (var data = new MemoryStream(new byte[10])) stored = _store.Add(Guid.NewGuid(), data, Expect(10), CancellationToken.None);

        _store.Delete(stored.Location);
        _store.Delete(stored.Location);

        Assert.Empty(StoreFiles());
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("file:///tmp/../etc/shadow")]
    [InlineData("http://example.com/x")]
    [InlineData("not a uri")]
    public void Locations_outside_the_store_are_refused(string location)
    {
        var victim = _folder.File("victim");
        File.WriteAllText(victim, "keep");

        Assert.Equal("InvalidLocation", Assert.Throws<ImagePsException>(() => _store.Delete(location)).ErrorId);
        Assert.Equal("InvalidLocation", Assert.Throws<ImagePsException>(() => _store.Delete(new Uri(victim).AbsoluteUri)).ErrorId);
        Assert.Equal("keep", File.ReadAllText(victim));
    }

    [Fact]
    public void Limiting_stream_lets_exactly_the_limit_through()
    {
        var bytes = new byte[1000];
        using (var exact = new LimitingStream(new MemoryStream(bytes), 1000, () => new IOException("over")))
            Assert.Equal(1000, exact.Read(new byte[2000], 0, 2000));

        using var over = new LimitingStream(new MemoryStream(new byte[1001]), 1000, () => new IOException("over"));
        Assert.Equal("over", Assert.Throws<IOException>(() => over.Read(new byte[2000], 0, 2000)).Message);
    }
}
