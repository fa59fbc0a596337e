using System.Buffers.Binary;
using System.Diagnostics;
using ImagePs.Formats;
using ImagePs.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace ImagePs.Tests.Formats;

/// <summary>
/// Real images of every format whose headers are mutated at random: the inspector must answer every
/// time (findings, never an exception), read within its bounds and allocate within a fixed budget.
/// One run uses a fixed seed, one a fresh seed printed in the output (IMAGEPS_FUZZ_SEED repeats it).
/// Both together take about a second.
/// </summary>
public class InspectorFuzzTests : IClassFixture<InspectorFuzzTests.Corpus>
{
    /// <summary>Per run; IMAGEPS_FUZZ_ITERATIONS raises it for a longer local session.</summary>
    private static readonly int Iterations =
        int.TryParse(Environment.GetEnvironmentVariable("IMAGEPS_FUZZ_ITERATIONS"), out var n) && n > 0 ? n : 5000;
    private const long MaxBytesRead = HeaderReader.MaxTotalBytes + HeaderReader.HeadLength;
    private const long MaxAllocatedBytes = 32L << 20;

    private static readonly ulong[] Interesting =
    {
        0, 1, 2, 3, 0x7F, 0x80, 0xFF, 0x1FF, 0x200, 0x201, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF,
        0x100000000, 1UL << 40, 1UL << 62, long.MaxValue, ulong.MaxValue, ulong.MaxValue - 511,
    };

    private readonly Corpus _corpus;
    private readonly ITestOutputHelper _output;

    public InspectorFuzzTests(Corpus corpus, ITestOutputHelper output)
    {
        _corpus = corpus;
        _output = output;
    }

    [Fact]
    public void Mutated_headers_with_a_fixed_seed() => Run(20240605);

    [Fact]
    public void Valid_samples_are_safe_before_any_mutation()
    {
        // Mutations start from images that pass every check, so that they reach the deepest ones.
        foreach (var name in new[] { "qcow2", "qcow2-v2", "vmdk", "vmdk-stream", "vmdk-footer", "vhd", "vhd-fixed", "vhdx", "vdi", "luks", "iso", "gpt", "gpt-sgdisk" })
        {
            var inspection = ImageInspector.Inspect(new MemoryStream(_corpus.Samples.Single(s => s.Name == name).Data, writable: false));
            Assert.True(inspection.IsSafe, $"{name}: {inspection.DescribeFindings()}");
        }
    }

    [Fact]
    public void Mutated_headers_with_a_fresh_seed()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("IMAGEPS_FUZZ_SEED");
        var seed = int.TryParse(fromEnvironment, out var given) ? given : Random.Shared.Next();
        _output.WriteLine($"fuzz seed {seed} (IMAGEPS_FUZZ_SEED={seed} repeats this run)");
        Console.WriteLine($"InspectorFuzzTests: fuzz seed {seed}");
        Run(seed);
    }

    private void Run(int seed)
    {
        // A hang would show here, not as a stuck test run.
        var run = Task.Run(() => Fuzz(seed));
        Assert.True(run.Wait(TimeSpan.FromMinutes(3) + TimeSpan.FromMilliseconds(Iterations)), $"seed {seed}: the inspector did not finish {Iterations} inspections");
        var (slowest, findings, formats) = run.Result;
        _output.WriteLine($"seed {seed}: {Iterations} inspections, slowest {slowest.TotalMilliseconds:F2} ms, " +
            $"{findings} with findings, formats seen: {string.Join(", ", formats.OrderBy(f => f))}");
    }

    private (TimeSpan Slowest, int WithFindings, HashSet<string> Formats) Fuzz(int seed)
    {
        var random = new Random(seed);
        var slowest = TimeSpan.Zero;
        var withFindings = 0;
        var formats = new HashSet<string>();
        for (var i = 0; i < Iterations; i++)
        {
            var sample = _corpus.Samples[random.Next(_corpus.Samples.Count)];
            var undo = new List<(int Offset, byte[] Original)>();
            var length = sample.Data.Length;
            var description = Mutate(random, sample, undo, ref length);
            try
            {
                using var counting = new CountingStream(new MemoryStream(sample.Data, 0, length, writable: false));
                var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
                var clock = Stopwatch.StartNew();
                ImageInspection inspection;
                try
                {
                    inspection = ImageInspector.Inspect(counting);
                }
                catch (Exception e)
                {
                    throw new Xunit.Sdk.XunitException($"seed {seed}, iteration {i}, {sample.Name} {description}: {e.GetType().Name} escaped: {e}");
                }
                clock.Stop();
                var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
                if (clock.Elapsed > slowest) slowest = clock.Elapsed;
                if (!inspection.IsSafe) withFindings++;
                formats.Add(inspection.Format);
                Assert.True(counting.BytesRead <= MaxBytesRead, $"seed {seed}, iteration {i}, {sample.Name} {description}: read {counting.BytesRead} bytes");
                Assert.True(allocated <= MaxAllocatedBytes, $"seed {seed}, iteration {i}, {sample.Name} {description}: allocated {allocated} bytes");
            }
            finally
            {
                for (var u = undo.Count - 1; u >= 0; u--) undo[u].Original.CopyTo(sample.Data, undo[u].Offset);
            }
        }
        return (slowest, withFindings, formats);
    }

    /// <summary>Applies one to four mutations in place (recorded for undo); returns what was done.</summary>
    private string Mutate(Random random, Corpus.Sample sample, List<(int, byte[])> undo, ref int length)
    {
        var data = sample.Data;
        var steps = new List<string>();
        var count = random.Next(1, 5);
        for (var m = 0; m < count; m++)
        {
            switch (random.Next(10))
            {
                case 0 or 1 or 2:
                {
                    var at = HotOffset(random, data.Length, 1);
                    Write(data, undo, at, new[] { (byte)random.Next(256) });
                    steps.Add($"byte@{at}");
                    break;
                }
                case 3 or 4 or 5:
                {
                    var width = random.Next(2) == 0 ? 4 : 8;
                    var at = HotOffset(random, data.Length, width) & ~(width - 1);
                    var value = random.Next(4) == 0 ? (ulong)random.NextInt64() : Interesting[random.Next(Interesting.Length)];
                    if (random.Next(3) == 0) value = (ulong)data.Length + (ulong)random.Next(-1024, 1024);
                    var bytes = new byte[width];
                    var bigEndian = random.Next(2) == 0;
                    if (width == 4 && bigEndian) BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)value);
                    else if (width == 4) BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)value);
                    else if (bigEndian) BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
                    else BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
                    Write(data, undo, at, bytes);
                    steps.Add($"{(bigEndian ? "be" : "le")}{width * 8}@{at}={value:x}");
                    break;
                }
                case 6:
                {
                    length = random.Next(2) == 0 ? random.Next(Math.Min(length, 4096) + 1) : random.Next(length + 1);
                    steps.Add($"truncate@{length}");
                    break;
                }
                case 7:
                {
                    var other = _corpus.Samples[random.Next(_corpus.Samples.Count)];
                    var at = new[] { 0, 512, 32 * 1024, 64 * 1024, data.Length - 512 }[random.Next(5)];
                    if (at < 0 || at >= data.Length) break;
                    var span = Math.Min(512, Math.Min(other.Data.Length, data.Length - at));
                    Write(data, undo, at, other.Data.AsSpan(0, span).ToArray());
                    steps.Add($"splice {other.Name}@{at}");
                    break;
                }
                default:
                {
                    var at = HotOffset(random, data.Length, 16);
                    var run = new byte[random.Next(1, 17)];
                    random.NextBytes(run);
                    if (at + run.Length > data.Length) break;
                    Write(data, undo, at, run);
                    steps.Add($"run{run.Length}@{at}");
                    break;
                }
            }
        }
        // Half the time, keep the checksums valid so that the mutation reaches what they protect.
        if (sample.FixChecksums is not null && random.Next(2) == 0)
        {
            sample.FixChecksums(data, undo);
            steps.Add("checksums fixed");
        }
        return string.Join(", ", steps);
    }

    /// <summary>Mostly where headers live: the first sectors, the VHDX structures, the ISO descriptors, the end.</summary>
    private static int HotOffset(Random random, int length, int width)
    {
        int at;
        switch (random.Next(8))
        {
            case 0 or 1 or 2: at = random.Next(Math.Min(length, 512)); break;
            case 3: at = random.Next(Math.Min(length, 20 * 512)); break;
            case 4: at = new[] { 64 * 1024, 128 * 1024, 192 * 1024, 256 * 1024, 1 << 20, 2 << 20, 3 << 20 }[random.Next(7)] + random.Next(512); break;
            case 5: at = 32 * 1024 + random.Next(4096); break;
            case 6: at = length - 1 - random.Next(Math.Min(length, 1536)); break;
            default: at = random.Next(Math.Max(length, 1)); break;
        }
        return Math.Clamp(at, 0, Math.Max(0, length - width));
    }

    private static void Write(byte[] data, List<(int, byte[])> undo, int at, byte[] bytes)
    {
        var count = Math.Min(bytes.Length, data.Length - at);
        if (count <= 0) return;
        undo.Add((at, data.AsSpan(at, count).ToArray()));
        bytes.AsSpan(0, count).CopyTo(data.AsSpan(at));
    }

    /// <summary>The real images the mutations start from, made once per test class.</summary>
    public sealed class Corpus : IDisposable
    {
        private readonly TestFolder _folder = new();

        public Corpus()
        {
            Add("qcow2", "qcow2", "8M");
            Add("qcow2-v2", "qcow2", "8M", "compat=0.10");
            Add("qcow2-data", "qcow2", "8M", "data_file=" + _folder.File("payload.raw"));
            Add("vmdk", "vmdk", "8M");
            Add("vmdk-stream", "vmdk", "8M", "subformat=streamOptimized");
            Add("vhd", "vpc", "8M", fix: FixVhdFooters);
            Add("vhd-fixed", "vpc", "4M", new[] { "subformat=fixed" }, FixVhdFooters);
            Add("vhdx", "vhdx", "8M", fix: FixVhdxRegionTable);
            Add("vdi", "vdi", "8M");
            Add("qed", "qed", "8M");
            var luks = _folder.File("luks");
            LuksImage.WriteLuks1(luks, 1 << 20);
            Samples.Add(new Sample("luks", File.ReadAllBytes(luks), null));
            var iso = _folder.File("iso");
            IsoImage.WriteMinimal(iso, 40);
            Samples.Add(new Sample("iso", File.ReadAllBytes(iso), null));
            var mbr = new byte[64 * 1024];
            mbr[446] = 0x80;
            mbr[446 + 2] = 2;          // a valid protective entry: CHS 0/2/0, LBA 1
            mbr[446 + 4] = 0xEE;
            mbr[446 + 8] = 1;
            mbr[510] = 0x55;
            mbr[511] = 0xAA;
            "EFI PART"u8.CopyTo(mbr.AsSpan(512));
            Samples.Add(new Sample("gpt", mbr, null));
            var disk = _folder.File("sgdisk");
            PartitionedDisk.Gpt(disk, "4M");
            Samples.Add(new Sample("gpt-sgdisk", File.ReadAllBytes(disk), null));
            Samples.Add(new Sample("vmdk-footer", StreamVmdkWithFooter(), null));
            Samples.Add(new Sample("descriptor", System.Text.Encoding.ASCII.GetBytes(
                "# Disk DescriptorFile\nversion=1\nCID=1\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\nRW 2048 FLAT \"disk-flat.vmdk\" 0\n"), null));
        }

        public List<Sample> Samples { get; } = new();

        public sealed record Sample(string Name, byte[] Data, Action<byte[], List<(int, byte[])>>? FixChecksums);

        public void Dispose() => _folder.Dispose();

        private void Add(string name, string format, string size, params string[] options) => Add(name, format, size, options, null);

        private void Add(string name, string format, string size, string[]? options = null, Action<byte[], List<(int, byte[])>>? fix = null)
        {
            var path = _folder.File(name);
            QemuImg.Create(format, path, size, options ?? Array.Empty<string>());
            Samples.Add(new Sample(name, File.ReadAllBytes(path), fix));
        }

        /// <summary>qemu-img's streamOptimized vmdk with its grain directory moved "at the end": a footer before the end-of-stream marker.</summary>
        private byte[] StreamVmdkWithFooter()
        {
            var raw = _folder.File("stream.raw");
            QemuImg.Create("raw", raw, "8M");
            var path = _folder.File("vmdk-footer");
            QemuImg.Convert("raw", raw, "vmdk", path, "subformat=streamOptimized");
            var data = File.ReadAllBytes(path);
            var endOfStream = data.Length - 512;
            var result = new byte[data.Length + 1024];
            data.AsSpan(0, endOfStream).CopyTo(result);
            BinaryPrimitives.WriteUInt64LittleEndian(result.AsSpan(endOfStream), 1);       // footer marker
            BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(endOfStream + 12), 3);
            data.AsSpan(0, 512).CopyTo(result.AsSpan(endOfStream + 512));                   // the footer
            BinaryPrimitives.WriteUInt64LittleEndian(result.AsSpan(56), ulong.MaxValue);    // grain directory at the end
            return result;
        }

        private static void FixVhdFooters(byte[] data, List<(int, byte[])> undo)
        {
            foreach (var at in new[] { 0, data.Length - 512 })
            {
                if (at < 0 || !data.AsSpan(at, 8).SequenceEqual("conectix"u8)) continue;
                var footer = data.AsSpan(at, 512).ToArray();
                ImageFile.SetVhdChecksum(footer);
                Write(data, undo, at, footer);
            }
        }

        private static void FixVhdxRegionTable(byte[] data, List<(int, byte[])> undo)
        {
            const int table = 192 * 1024;
            if (data.Length < table + 65536) return;
            var copy = data.AsSpan(table, 65536).ToArray();
            BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(4), Crc32C.Compute(copy, 4));
            Write(data, undo, table + 4, copy.AsSpan(4, 4).ToArray());
        }
    }
}
