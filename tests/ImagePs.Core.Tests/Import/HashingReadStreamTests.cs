using System.Security.Cryptography;
using ImagePs.Import;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Import;

public class HashingReadStreamTests
{
    public static TheoryData<string> Algorithms => new() { "SHA256", "SHA512", "MD5" };

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Digest_and_count_equal_the_one_shot_hash_of_the_bytes_read(string algorithm)
    {
        using var folder = new TestFolder();
        var path = folder.RandomFile("data.bin", 3_000_017, seed: 5);
        var bytes = File.ReadAllBytes(path);
        var expected = Convert.ToHexString(algorithm switch
        {
            "SHA256" => SHA256.HashData(bytes),
            "SHA512" => SHA512.HashData(bytes),
            _ => MD5.HashData(bytes),
        }).ToLowerInvariant();

        using var hashing = new HashingReadStream(File.OpenRead(path), new HashAlgorithmName(algorithm));
        // Odd-sized reads, as a decoder makes them.
        var buffer = new byte[7919];
        while (hashing.Read(buffer, 0, buffer.Length) > 0) { }

        Assert.Equal(bytes.LongLength, hashing.BytesRead);
        Assert.Equal(expected, hashing.HexDigest());
        Assert.Equal(expected, hashing.HexDigest());
    }

    [Fact]
    public void The_source_hash_under_a_decompressed_stream_is_that_of_the_compressed_file()
    {
        using var folder = new TestFolder();
        var payload = CompressedFiles.Payload(folder);
        var zip = CompressedFiles.Compress("zip", payload, folder.File("disk.zip"));

        using var hashing = new HashingReadStream(File.OpenRead(zip), HashAlgorithmName.SHA256);
        using (var decompressed = Decompression.Open(hashing, zip, ImagePs.Settings.RepositorySettings.Default, CancellationToken.None))
            Assert.Equal(CompressedFiles.Sha256(payload), CompressedFiles.Sha256(decompressed));

        Assert.Equal(new FileInfo(zip).Length, hashing.BytesRead);
        Assert.Equal(CompressedFiles.Sha256(zip), hashing.HexDigest());
    }

    [Fact]
    public void Disposing_closes_the_inner_stream_unless_asked_to_leave_it_open()
    {
        var kept = new MemoryStream(new byte[] { 1, 2, 3 });
        new HashingReadStream(kept, HashAlgorithmName.SHA256, leaveOpen: true).Dispose();
        Assert.True(kept.CanRead);

        var closed = new MemoryStream(new byte[] { 1, 2, 3 });
        new HashingReadStream(closed, HashAlgorithmName.SHA256).Dispose();
        Assert.False(closed.CanRead);
    }
}
