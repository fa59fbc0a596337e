using System.Security.Cryptography;
using ImagePs.Store;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Store;

[CollectionDefinition(nameof(AllocationCollection), DisableParallelization = true)]
public class AllocationCollection
{
}

public class SinglePassCopierTests : IDisposable
{
    private readonly TestFolder _folder = new();
    private static readonly int Chunk = new DataChunkProbe().Capacity;

    public void Dispose() => _folder.Dispose();

    public static IEnumerable<object[]> Sizes() =>
        new[] { 0, 1, 4095, 4096, 4097, Chunk - 1, Chunk, Chunk + 1, 3 * Chunk + 12345 }.Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Every_size_is_copied_and_hashed_exactly(int size)
    {
        var source = _folder.RandomFile("source", size, seed: size);
        var target = _folder.File("target");
        var bytes = File.ReadAllBytes(source);

        SinglePassCopier.Result result;
        using (var input = File.OpenRead(source))
        using (var output = ChunkFile.Create(target))
            result = SinglePassCopier.Copy(Guid.NewGuid(), input, output, size, source, new[] { HashAlgorithmName.SHA256 }, null, CancellationToken.None);

        Assert.Equal(size, result.Size);
        Assert.Equal(Convert.ToHexString(MD5.HashData(bytes)).ToLowerInvariant(), result.Md5);
        Assert.Equal(Convert.ToHexString(SHA512.HashData(bytes)).ToLowerInvariant(), result.Sha512);
        Assert.Equal(SHA256.HashData(bytes), result.Digests["SHA256"]);
        Assert.Equal(bytes, File.ReadAllBytes(target));
    }

    [Fact]
    public void Filesystems_without_direct_io_get_an_ordinary_file()
    {
        // tmpfs refuses O_DIRECT; /dev/shm is one on Linux.
        if (!Directory.Exists("/dev/shm")) return;
        var target = Path.Combine("/dev/shm", "imageps-" + Guid.NewGuid().ToString("N"));
        var bytes = new byte[Chunk + 77];
        new Random(7).NextBytes(bytes);
        try
        {
            using (var output = ChunkFile.Create(target))
                SinglePassCopier.Copy(Guid.NewGuid(), new MemoryStream(bytes), output, bytes.Length, "memory", null, null, CancellationToken.None);
            Assert.Equal(bytes, File.ReadAllBytes(target));
        }
        finally
        {
            File.Delete(target);
        }
    }

    [Fact]
    public void Reads_from_pipes_that_return_short_reads()
    {
        var bytes = new byte[2 * Chunk + 5];
        new Random(3).NextBytes(bytes);
        using var trickle = new TrickleStream(bytes, maxRead: 1000);

        var result = SinglePassCopier.Copy(Guid.NewGuid(), trickle, null, null, "pipe", null, null, CancellationToken.None);

        Assert.Equal(bytes.Length, result.Size);
        Assert.Equal(Convert.ToHexString(SHA512.HashData(bytes)).ToLowerInvariant(), result.Sha512);
    }


    [Fact]
    public void Progress_is_reported_with_the_bytes_done()
    {
        var reports = new List<long>();
        var bytes = new byte[3 * Chunk];

        SinglePassCopier.Copy(Guid.NewGuid(), new MemoryStream(bytes), null, null, "memory", null, reports.Add, CancellationToken.None);

        Assert.Equal(new long[] { Chunk, 2L * Chunk, 3L * Chunk }, reports);
    }

    /// <summary>Learns the chunk's usable size the way the copier computes it.</summary>
    private sealed class DataChunkProbe
    {
        public int Capacity { get; }

        public DataChunkProbe()
        {
            using var chunk = new DataChunk(SinglePassCopier.ChunkArrayLength);
            Capacity = chunk.Capacity;
        }
    }

    private sealed class TrickleStream(byte[] data, int maxRead) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, maxRead));
    }

    [Fact]
    public void Sha224_matches_the_standard_vectors()
    {
        string Hex(byte[] data) => Convert.ToHexString(StreamingHash.Compute(StreamingHash.Sha224Name, data)).ToLowerInvariant();

        Assert.Equal("23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7", Hex("abc"u8.ToArray()));
        Assert.Equal("d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f", Hex(Array.Empty<byte>()));
        Assert.Equal("75388b16512776cc5dba5da1fd890150b0c6455cb4f58b1952522525",
            Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"u8.ToArray()));
    }

    internal sealed class RepeatingStream(byte[] block, int times) : Stream
    {
        private long _position;
        private readonly long _length = (long)block.Length * times;

        public override int Read(byte[] buffer, int offset, int count)
        {
            var left = _length - _position;
            if (left <= 0) return 0;
            var within = (int)(_position % block.Length);
            var n = (int)Math.Min(Math.Min(count, block.Length - within), left);
            Buffer.BlockCopy(block, within, buffer, offset, n);
            _position += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => _length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
