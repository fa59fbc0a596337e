using ImagePs.Import;
using ImagePs.Settings;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Import;

/// <summary>Decompression of real files made by the real tools: by content, streamed, every failure an ImagePs error.</summary>
public class DecompressionTests
{
    private static readonly RepositorySettings Settings = RepositorySettings.Default;

    private static DecompressedStream Open(Stream data, string source, bool systemTools = true) =>
        Decompression.Open(data, source, Settings, systemTools ? DecompressionTools.OnPath : DecompressionTools.None, CancellationToken.None);

    public static TheoryData<string, bool, string> Formats => new()
    {
        { "gzip", true, "System.IO.Compression" },
        { "zip", true, "SharpCompress" },
        { "zstd", true, "SharpCompress" },
        { "xz", true, "xz (system tool)" },
        { "xz", false, "SharpCompress" },
        { "bzip2", true, "bzip2 (system tool)" },
        { "bzip2", false, "SharpCompress" },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public void Each_format_round_trips_to_the_same_bytes(string format, bool systemTools, string decoder)
    {
        using var folder = new TestFolder();
        var payload = CompressedFiles.Payload(folder);
        var compressed = CompressedFiles.Compress(format, payload, folder.File("disk.compressed"));
        using var file = File.OpenRead(compressed);

        using var stream = Open(file, compressed, systemTools);

        Assert.Equal(format, stream.Format);
        Assert.Equal(decoder, stream.Decoder);
        Assert.Equal(CompressedFiles.Sha256(payload), CompressedFiles.Sha256(stream));
        // Everything after the compressed data was read too (a source hash covers the whole file).
        Assert.Equal(file.Length, file.Position);
    }

    [Fact]
    public void A_file_named_gz_that_is_not_gzip_passes_through_unchanged()
    {
        using var folder = new TestFolder();
        var payload = CompressedFiles.Payload(folder, "disk.img.gz");
        using var file = File.OpenRead(payload);

        using var stream = Open(file, payload);

        Assert.Null(stream.Format);
        Assert.Null(stream.Decoder);
        Assert.Equal(CompressedFiles.Sha256(payload), CompressedFiles.Sha256(stream));
    }

    [Fact]
    public void An_xz_file_named_img_is_decompressed()
    {
        using var folder = new TestFolder();
        var payload = CompressedFiles.Payload(folder);
        var compressed = CompressedFiles.Compress("xz", payload, folder.File("looks-raw.img"));
        using var file = File.OpenRead(compressed);

        using var stream = Open(file, compressed);

        Assert.Equal("xz", stream.Format);
        Assert.Equal(CompressedFiles.Sha256(payload), CompressedFiles.Sha256(stream));
    }

    [Fact]
    public void Data_shorter_than_any_magic_passes_through()
    {
        using var stream = Open(new MemoryStream(new byte[] { 0x1f }), "one-byte");
        Assert.Null(stream.Format);
        Assert.Equal(new byte[] { 0x1f }, ReadAll(stream));
    }

    [Fact]
    public void Every_member_of_a_multi_member_gzip_is_decompressed()
    {
        using var folder = new TestFolder();
        var first = CompressedFiles.Payload(folder, "first.img");
        var second = folder.RandomFile("second.img", 300_000, seed: 3);
        var joined = folder.File("joined.gz");
        CompressedFiles.Shell("gzip -c < \"$1\" > \"$3\" && gzip -c < \"$2\" >> \"$3\"", first, second, joined);
        using var file = File.OpenRead(joined);

        using var stream = Open(file, joined);

        var expected = File.ReadAllBytes(first).Concat(File.ReadAllBytes(second)).ToArray();
        Assert.Equal(expected, ReadAll(stream));
    }

    [Fact]
    public void A_zip_with_two_files_is_refused_naming_the_count()
    {
        using var folder = new TestFolder();
        var payload = CompressedFiles.Payload(folder);
        var other = folder.RandomFile("other.img", 4096);
        var zip = folder.File("two.zip");
        CompressedFiles.Shell("cd \"$(dirname \"$1\")\" && zip -q \"$3\" \"$(basename \"$1\")\" \"$(basename \"$2\")\"", payload, other, zip);
        using var file = File.OpenRead(zip);

        using var stream = Open(file, zip);
        var error = Assert.Throws<ImagePsException>(() => ReadAll(stream));

        Assert.Equal("ImportZipEntryCount", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, error.Kind);
        Assert.Contains("2 files", error.Message);
        Assert.Contains(zip, error.Message);
    }

    [Fact]
    public void A_zip_with_one_file_in_a_folder_is_taken_directory_entries_aside()
    {
        using var folder = new TestFolder();
        Directory.CreateDirectory(folder.File("images"));
        var payload = CompressedFiles.Payload(folder, Path.Combine("images", "disk.img"));
        var zip = folder.File("one.zip");
        CompressedFiles.Shell("cd \"$1\" && zip -q -r \"$2\" images", folder.Path, zip);
        using var file = File.OpenRead(zip);

        using var stream = Open(file, zip);

        Assert.Equal(CompressedFiles.Sha256(payload), CompressedFiles.Sha256(stream));
    }

    [Fact]
    public void A_zip_written_to_a_pipe_with_data_descriptors_is_read_too()
    {
        using var folder = new TestFolder();
        var payload = CompressedFiles.Payload(folder);
        var zip = folder.File("streamed.zip");
        // Read from standard input and written into a pipe, zip cannot seek: sizes and CRC-32 follow the data.
        CompressedFiles.Shell("zip -q - - < \"$1\" | cat > \"$2\"", payload, zip);
        Assert.Equal(0x08, File.ReadAllBytes(zip)[6] & 0x08);
        using var file = File.OpenRead(zip);

        using var stream = Open(file, zip);

        Assert.Equal("zip", stream.Format);
        Assert.Equal(CompressedFiles.Sha256(payload), CompressedFiles.Sha256(stream));
    }

    [Fact]
    public void A_corrupt_zip_with_data_descriptors_is_ImportDecompressionFailed()
    {
        using var folder = new TestFolder();
        var payload = CompressedFiles.Payload(folder);
        var zip = folder.File("streamed.zip");
        CompressedFiles.Shell("zip -q - - < \"$1\" | cat > \"$2\"", payload, zip);
        var damaged = File.ReadAllBytes(zip);
        for (var i = damaged.Length / 2; i < damaged.Length / 2 + 64; i++) damaged[i] ^= 0x5a;

        var error = Assert.Throws<ImagePsException>(() => ReadAll(Open(new MemoryStream(damaged), zip)));

        Assert.Equal("ImportDecompressionFailed", error.ErrorId);
        Assert.Contains(zip, error.Message);
    }

    [Fact]
    public void An_empty_zip_is_refused_as_holding_no_file()
    {
        using var folder = new TestFolder();
        var zip = folder.File("empty.zip");
        CompressedFiles.Shell("cd \"$1\" && mkdir -p empty && zip -q -r \"$2\" empty", folder.Path, zip);
        using var file = File.OpenRead(zip);

        var error = Assert.Throws<ImagePsException>(() => ReadAll(Open(file, zip)));

        Assert.Equal("ImportZipEntryCount", error.ErrorId);
        Assert.Contains("0 files", error.Message);
    }

    public static TheoryData<string, bool, string> Damages()
    {
        var data = new TheoryData<string, bool, string>();
        foreach (var (format, tools) in new[] { ("gzip", true), ("zip", true), ("zstd", true), ("xz", true), ("xz", false), ("bzip2", true), ("bzip2", false) })
        {
            data.Add(format, tools, "truncated");
            data.Add(format, tools, "corrupt");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Damages))]
    public void A_damaged_compressed_stream_is_ImportDecompressionFailed_naming_the_source(string format, bool systemTools, string damage)
    {
        using var folder = new TestFolder();
        var payload = CompressedFiles.Payload(folder);
        var compressed = File.ReadAllBytes(CompressedFiles.Compress(format, payload, folder.File("disk.compressed")));
        byte[] damaged;
        if (damage == "truncated")
        {
            damaged = compressed.AsSpan(0, compressed.Length / 2).ToArray();
        }
        else
        {
            damaged = (byte[])compressed.Clone();
            for (var i = damaged.Length / 2; i < damaged.Length / 2 + 64; i++) damaged[i] ^= 0x5a;
        }
        var source = "https://example.test/disk." + format;

        var error = Assert.Throws<ImagePsException>(() =>
        {
            using var stream = Open(new MemoryStream(damaged), source, systemTools);
            ReadAll(stream);
        });

        Assert.Equal("ImportDecompressionFailed", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, error.Kind);
        Assert.Contains(source, error.Message);
        Assert.Contains(format, error.Message);
    }

    [Fact]
    public void A_failing_source_reaches_the_caller_as_itself_not_as_a_decompression_error()
    {
        using var folder = new TestFolder();
        var payload = CompressedFiles.Payload(folder);
        var compressed = CompressedFiles.Compress("xz", payload, folder.File("disk.xz"));

        foreach (var tools in new[] { true, false })
        {
            using var failing = new FaultyStream(File.OpenRead(compressed), 100_000);
            var error = Assert.Throws<IOException>(() =>
            {
                using var stream = Open(failing, compressed, tools);
                ReadAll(stream);
            });
            Assert.Equal("Simulated read error", error.Message);
        }
    }

    [Fact]
    public void Disposing_early_kills_and_reaps_the_xz_process()
    {
        using var folder = new TestFolder();
        var bomb = folder.File("zeros.xz");
        CompressedFiles.Shell("head -c 268435456 /dev/zero | xz -0 -c > \"$1\"", bomb);
        using var file = File.OpenRead(bomb);
        var stream = Open(file, bomb);
        var pid = stream.ToolProcessId ?? throw new InvalidOperationException("xz is not run as a system tool");
        Assert.Equal(64 * 1024, stream.ReadAtLeast(new byte[64 * 1024], 64 * 1024));
        Assert.True(Directory.Exists("/proc/" + pid), "xz should still be running, its output not read yet");

        stream.Dispose();

        // Gone and reaped: no /proc entry (a zombie would keep one).
        Assert.False(Directory.Exists("/proc/" + pid), $"xz (pid {pid}) is still there after the stream was disposed");
    }

    [Fact]
    public void Cancelling_stops_the_read_and_kills_the_xz_process()
    {
        using var folder = new TestFolder();
        var bomb = folder.File("zeros.xz");
        CompressedFiles.Shell("head -c 268435456 /dev/zero | xz -0 -c > \"$1\"", bomb);
        using var file = File.OpenRead(bomb);
        using var cancel = new CancellationTokenSource();
        using var stream = Decompression.Open(file, bomb, Settings, DecompressionTools.OnPath, cancel.Token);
        var pid = stream.ToolProcessId!.Value;
        stream.ReadAtLeast(new byte[1024], 1024);

        cancel.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => ReadAll(stream));
        stream.Dispose();
        Assert.False(Directory.Exists("/proc/" + pid), $"xz (pid {pid}) is still there after cancelling");
    }

    [Fact]
    public void A_large_stream_through_xz_does_not_deadlock_with_stdin_and_stdout_pumped_together()
    {
        // 64 MiB of random bytes: xz's input and output are both far larger than any pipe buffer, so
        // a feeder that waited for the reader (or the other way round) would hang here.
        using var folder = new TestFolder();
        var payload = folder.RandomFile("random.img", 64 << 20, seed: 11);
        var compressed = folder.File("random.xz");
        CompressedFiles.Shell("xz -0 -T1 -c < \"$1\" > \"$2\"", payload, compressed);
        using var file = File.OpenRead(compressed);

        using var stream = Open(file, compressed);
        var buffer = new byte[1 << 20];
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0) sha.AppendData(buffer, 0, n);

        Assert.Equal(CompressedFiles.Sha256(payload), Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant());
    }

    [Fact]
    public void A_reader_that_stops_reading_stops_xz_and_the_feeding_of_its_input_buffers_stay_bounded()
    {
        using var folder = new TestFolder();
        var payload = folder.RandomFile("random.img", 32 << 20, seed: 13);
        var compressed = folder.File("random.xz");
        CompressedFiles.Shell("xz -0 -T1 -c < \"$1\" > \"$2\"", payload, compressed);
        using var file = File.OpenRead(compressed);
        using var stream = Open(file, compressed);
        Assert.Equal(64 * 1024, stream.ReadAtLeast(new byte[64 * 1024], 64 * 1024));

        // Wait (bounded) until the feeding has stopped: xz blocks on its full output, the feeder on xz.
        long position = -1;
        for (var polls = 0; polls < 100 && file.Position != position; polls++)
        {
            position = file.Position;
            Thread.Sleep(200);
        }

        // Random data does not compress: what was fed is what waits in xz, the pipes and the queue
        // (at most 1 MiB of output), far from the 32 MiB file.
        Assert.InRange(file.Position, 64 * 1024, 8 << 20);
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
