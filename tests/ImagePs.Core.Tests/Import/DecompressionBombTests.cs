using ImagePs.Import;
using ImagePs.Layers;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Import;

/// <summary>
/// The decompressed bytes are what the upload stores, so the store's size cap stops a decompression
/// bomb as they stream: a few hundred KiB that would expand to 256 MiB are decoded only to about the cap.
/// </summary>
public class DecompressionBombTests
{
    [Theory]
    [InlineData("zstd")]
    [InlineData("gzip")]
    [InlineData("xz")]
    public void A_bomb_stops_at_the_size_cap_having_decoded_little_more_than_the_cap(string format)
    {
        const long cap = 4 << 20;
        using var repository = new TestRepository(TestBackend.Embedded, "{ \"ImageSizeCap\": " + cap + " }");
        var bomb = repository.Scratch.File("bomb." + format);
        var tool = format == "zstd" ? "zstd -q" : format == "gzip" ? "gzip -1" : "xz -0";
        CompressedFiles.Shell("head -c 268435456 /dev/zero | " + tool + " -c > \"$1\"", bomb);
        Assert.True(new FileInfo(bomb).Length < 8 << 20);
        var image = repository.NewImage("bomb");

        using var file = File.OpenRead(bomb);
        using var decompressed = Decompression.Open(file, bomb, repository.Backend.Settings, CancellationToken.None);
        var counted = new CountingReadStream(decompressed);
        var error = Assert.Throws<ImagePsException>(() =>
            repository.Service.UploadData(image.Id, new ImageDataSource(counted, null, bomb), CancellationToken.None));

        Assert.Equal("ImageSizeCapExceeded", error.ErrorId);
        Assert.Equal(ImageStatus.Queued, repository.Service.GetImage(image.Id).Status);
        Assert.Empty(repository.StoreFiles());
        Assert.InRange(counted.BytesRead, cap, cap + (16 << 20));
    }

    /// <summary>Counts the bytes a forward-only stream gives (Support's CountingStream needs a seekable one).</summary>
    private sealed class CountingReadStream : Stream
    {
        private readonly Stream _inner;

        public CountingReadStream(Stream inner) => _inner = inner;

        public long BytesRead { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = _inner.Read(buffer, offset, count);
            BytesRead += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
