using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using ImagePs.Formats;
using ImagePs.Import;
using ImagePs.Settings;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Import;

/// <summary>
/// Conversion with the real qemu-img: real images in, every target out, checked with qemu-img info and
/// qemu-img compare; unsafe sources refused before qemu-img runs; failures leave no temporary file.
/// </summary>
public class ImageConverterTests : IDisposable
{
    private const long Mebibyte = 1024 * 1024;
    private readonly TestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private RepositoryFolder Repository => new(_folder.File("repo"));

    private ImportTemporaryFiles Temporary => ImportTemporaryFiles.For(Repository);

    private static ImageConverter Converter(string? qemuImgPath = null, IVirtualSizeProbe? probe = null) =>
        new(Settings(qemuImgPath), probe, SilentObserver.Instance);

    private static RepositorySettings Settings(string? qemuImgPath) =>
        qemuImgPath is null ? RepositorySettings.Default
            : RepositorySettings.Parse(JsonSerializer.Serialize(new { QemuImgPath = qemuImgPath }), "imageps.json");

    private string[] LeftInTemp() =>
        Directory.Exists(Temporary.FolderPath) ? Directory.GetFiles(Temporary.FolderPath) : Array.Empty<string>();

    /// <summary>A 64 MiB qcow2 with data at its start and in its middle, written by qemu-io.</summary>
    private string Qcow2WithData()
    {
        var path = _folder.File("source.qcow2");
        QemuImg.Create("qcow2", path, "64M");
        QemuImg.Write("qcow2", path, 3);
        Run("qemu-io", "-f", "qcow2", "-c", "write -P 0x5c 40M 2M", path);
        return path;
    }

    [Theory]
    [InlineData("raw", "raw")]
    [InlineData("qcow2", "qcow2")]
    [InlineData("vmdk", "vmdk")]
    [InlineData("vhdx", "vhdx")]
    [InlineData("vhd", "vpc")]
    [InlineData("vdi", "vdi")]
    public void A_qcow2_with_data_converts_to_every_target_with_the_same_content(string target, string driver)
    {
        var source = Qcow2WithData();

        string output;
        using (var converted = Converter(probe: new QemuImgProbe(null)).Convert(source, target, Temporary, CancellationToken.None))
        {
            output = converted.Path;
            Assert.StartsWith(Temporary.FolderPath + Path.DirectorySeparatorChar, output);
            var info = Info(output);
            Assert.Equal(driver, info.GetProperty("format").GetString());
            Assert.Equal(64 * Mebibyte, info.GetProperty("virtual-size").GetInt64());
            Assert.Equal(64 * Mebibyte, converted.VirtualSize);
            Assert.Equal(0, Compare("qcow2", source, driver, output));
            Assert.Equal("qcow2", converted.SourceFormat);
            Assert.Equal(target, converted.TargetFormat);
            Assert.Equal(Sha512(source), converted.SourceSha512);
            Assert.Equal("qcow2:sha512:" + Sha512(source), converted.RecordedFrom);
        }
        Assert.False(File.Exists(output));
        Assert.Empty(LeftInTemp());
    }

    [Fact]
    public void A_raw_disk_of_random_blocks_converts_to_vhdx_and_back_to_the_same_bytes()
    {
        var source = _folder.RandomFile("random.img", (int)(5 * Mebibyte));
        using var vhdx = Converter().Convert(source, "vhdx", Temporary, CancellationToken.None);
        Assert.Equal("raw", vhdx.SourceFormat);
        Assert.Equal(0, Compare("raw", source, "vhdx", vhdx.Path));

        using var raw = Converter().Convert(vhdx.Path, "raw", Temporary, CancellationToken.None);

        Assert.Equal("vhdx", raw.SourceFormat);
        Assert.Equal(Sha512(source), Sha512(raw.Path));
    }

    [Fact]
    public void An_unsafe_source_is_refused_before_qemu_img_runs()
    {
        var backing = _folder.File("base.qcow2");
        QemuImg.Create("qcow2", backing, "16M");
        var overlay = _folder.File("overlay.qcow2");
        QemuImg.Create("qcow2", overlay, "16M", "backing_file=" + backing, "backing_fmt=qcow2");
        var log = _folder.File("invocations.log");
        var recorder = StandInProgram.Write(_folder.Path, "qemu-img-recorder", $"echo \"$@\" >> '{log}'\nexec qemu-img \"$@\"");

        var error = Assert.Throws<UnsafeImageException>(() => Converter(recorder).Convert(overlay, "raw", Temporary, CancellationToken.None));

        Assert.Contains(error.Findings, f => f.Check == Checks.BackingFile);
        Assert.Contains(backing, error.Message);
        Assert.False(File.Exists(log), "qemu-img was run on an unsafe image");
        Assert.Empty(LeftInTemp());

        // The same recorder does run for a safe image: the test can tell.
        using (Converter(recorder).Convert(backing, "raw", Temporary, CancellationToken.None)) { }
        Assert.Contains("convert -f qcow2 -O raw", File.ReadAllText(log));
    }

    [Theory]
    [InlineData("iso")]
    [InlineData("ami")]
    [InlineData("qed")]
    [InlineData("vpc")]
    public void A_target_qemu_img_is_not_asked_to_write_is_ImportConversionUnsupported(string target)
    {
        var source = _folder.RandomFile("disk.img", 4096);

        var error = Assert.ThrowsAny<ImagePsException>(() => Converter().Convert(source, target, Temporary, CancellationToken.None));

        Assert.Equal("ImportConversionUnsupported", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("'" + target + "'", error.Message);
        Assert.Contains("raw, qcow2, vmdk, vhdx, vhd, vdi", error.Message);
    }

    [Fact]
    public void QemuDriver_names_vhd_vpc_and_the_others_as_they_are()
    {
        Assert.Equal(new[] { "raw", "qcow2", "vmdk", "vhdx", "vpc", "vdi" }, ImageConverter.TargetFormats.Select(ImageConverter.QemuDriver));
    }

    [Fact]
    public void Without_qemu_img_it_is_ImportConverterMissing_in_category_NotInstalled()
    {
        var source = _folder.RandomFile("disk.img", 4096);
        var missing = _folder.File("no-such-qemu-img");

        var error = Assert.ThrowsAny<ImagePsException>(() => Converter(missing).Convert(source, "qcow2", Temporary, CancellationToken.None));

        Assert.Equal("ImportConverterMissing", error.ErrorId);
        Assert.Equal(ErrorKind.NotInstalled, error.Kind);
        Assert.Contains(missing, error.Message);
        Assert.False(Converter(missing).IsAvailable);
        Assert.True(Converter().IsAvailable);
    }

    [Fact]
    public void A_qemu_img_that_fails_is_ImportConversionFailed_with_its_message_and_leaves_nothing()
    {
        var source = _folder.RandomFile("disk.img", 4096);
        var failing = StandInProgram.Write(_folder.Path, "qemu-img-failing",
            "for last; do :; done\necho partial > \"$last\"\necho 'qemu-img: Could not open the image: simulated failure' >&2\nexit 1");

        var error = Assert.ThrowsAny<ImagePsException>(() => Converter(failing).Convert(source, "qcow2", Temporary, CancellationToken.None));

        Assert.Equal("ImportConversionFailed", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidOperation, error.Kind);
        Assert.Contains("exited with code 1", error.Message);
        Assert.Contains("simulated failure", error.Message);
        Assert.Contains(source, error.Message);
        Assert.Empty(LeftInTemp());
    }

    [Fact]
    public void A_source_that_passes_inspection_but_qemu_img_cannot_read_is_ImportConversionFailed()
    {
        // A real qcow2 whose L1 table offset (header bytes 40-47) is not cluster-aligned: the header
        // is otherwise well-formed, qemu-img refuses it ("Active L1 table offset invalid").
        var source = _folder.File("broken.qcow2");
        QemuImg.Create("qcow2", source, "16M");
        QemuImg.Write("qcow2", source, 1);
        using (var file = File.Open(source, FileMode.Open))
        {
            file.Position = 40;
            file.Write(new byte[] { 0, 0, 0, 0, 0, 3, 0, 1 }); // 0x30001
        }
        Assert.True(ImageInspector.Inspect(source).IsSafe, "the test needs an image the native inspector passes");

        var error = Assert.ThrowsAny<ImagePsException>(() => Converter().Convert(source, "raw", Temporary, CancellationToken.None));

        Assert.Equal("ImportConversionFailed", error.ErrorId);
        Assert.Contains("qemu-img exited with code 1", error.Message);
        Assert.True(error.Message.Contains("L1 table offset invalid"), error.Message);
        Assert.Empty(LeftInTemp());
    }

    [Fact]
    public void An_output_that_is_not_the_target_format_is_ImportConversionFailed()
    {
        var source = _folder.RandomFile("disk.img", 4096);
        var liar = StandInProgram.Write(_folder.Path, "qemu-img-liar", "for last; do :; done\nhead -c 65536 /dev/urandom > \"$last\"");

        var error = Assert.ThrowsAny<ImagePsException>(() => Converter(liar).Convert(source, "qcow2", Temporary, CancellationToken.None));

        Assert.Equal("ImportConversionFailed", error.ErrorId);
        Assert.Contains("wrote raw content, not qcow2", error.Message);
        Assert.Empty(LeftInTemp());
    }

    [Fact]
    public void A_source_replaced_while_qemu_img_reads_it_is_ImportConversionFailed()
    {
        // What a swap between inspection and qemu-img looks like: the path names another file by the
        // time qemu-img is done (here the stand-in swaps it, then runs the real qemu-img).
        var source = _folder.RandomFile("disk.img", 65536);
        var other = _folder.RandomFile("other.img", 65536, seed: 2);
        var swapper = StandInProgram.Write(_folder.Path, "qemu-img-swapper", $"mv '{other}' '{source}'\nexec qemu-img \"$@\"");

        var error = Assert.ThrowsAny<ImagePsException>(() => Converter(swapper).Convert(source, "qcow2", Temporary, CancellationToken.None));

        Assert.Equal("ImportConversionFailed", error.ErrorId);
        Assert.Contains("replaced or changed", error.Message);
        Assert.Empty(LeftInTemp());
    }

    [Fact]
    public void A_qemu_img_that_spins_is_stopped_by_its_cpu_limit()
    {
        var source = _folder.RandomFile("disk.img", 4096);
        var spinner = StandInProgram.Write(_folder.Path, "qemu-img-spinner", "while :; do :; done");
        var converter = new ImageConverter(Settings(spinner), null, SilentObserver.Instance, null, new ConversionLimits(1, 1L << 30));

        var error = Assert.ThrowsAny<ImagePsException>(() => converter.Convert(source, "qcow2", Temporary, CancellationToken.None));

        Assert.Equal("ImportConversionFailed", error.ErrorId);
        Assert.Contains("signal", error.Message);
        Assert.Contains("1 s of CPU time", error.Message);
        Assert.Empty(LeftInTemp());
    }

    [Fact]
    public void The_limits_scale_with_the_virtual_size()
    {
        Assert.Equal(new ConversionLimits(90, (2L << 30) + (2L << 20)), ConversionLimits.For(0));
        Assert.Equal(new ConversionLimits(90, (2L << 30) + (2L << 20)), ConversionLimits.For(1L << 30));
        Assert.Equal(new ConversionLimits(60 + 30 * 11, (2L << 30) + 11 * (2L << 20)), ConversionLimits.For((10L << 30) + 1));
        var (_, arguments) = ProcessLimits.Wrap(ProcessLimitMethod.Prlimit, "/usr/bin/qemu-img", new[] { "convert" }, 390, 123456789);
        Assert.Equal(new[] { "--cpu=390", "--as=123456789", "--", "/usr/bin/qemu-img", "convert" }, arguments);
    }

    [Fact]
    public async Task Cancellation_kills_qemu_img_and_deletes_the_output()
    {
        var source = _folder.RandomFile("disk.img", 4096);
        var started = _folder.File("started");
        var sleeper = StandInProgram.Write(_folder.Path, "qemu-img-sleeper",
            $"for last; do :; done\necho partial > \"$last\"\necho $$ > '{started}.tmp' && mv '{started}.tmp' '{started}'\nexec sleep 120");
        using var cancel = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            for (var i = 0; i < 600 && !File.Exists(started); i++) await Task.Delay(50);
            cancel.Cancel();
        });

        Assert.ThrowsAny<OperationCanceledException>(() => Converter(sleeper).Convert(source, "qcow2", Temporary, cancel.Token));

        await watcher;
        var pid = int.Parse(File.ReadAllText(started).Trim());
        Assert.False(IsRunning(pid), "qemu-img still runs");
        Assert.Empty(LeftInTemp());
    }

    [Fact]
    public void A_full_disk_under_the_repository_is_ImportConversionFailed_and_leaves_nothing()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root") return; // mounting a small tmpfs needs root: skipped otherwise
        var source = Qcow2WithData(); // 5 MiB of data, a 64 MiB raw disk
        Run("qemu-io", "-f", "qcow2", "-c", "write -P 0x77 8M 16M", source);
        var mountPoint = _folder.File("repo");
        Directory.CreateDirectory(mountPoint);
        Run("mount", "-t", "tmpfs", "-o", "size=8m", "imageps-test-full", mountPoint);
        try
        {
            var error = Assert.ThrowsAny<ImagePsException>(() => Converter().Convert(source, "raw", Temporary, CancellationToken.None));

            Assert.Equal("ImportConversionFailed", error.ErrorId);
            Assert.Equal(ErrorKind.WriteError, error.Kind);
            Assert.Contains("is full", error.Message);
            Assert.Contains("No space left on device", error.Message);
            Assert.Empty(LeftInTemp());
        }
        finally
        {
            Run("umount", mountPoint);
        }
        Assert.DoesNotContain(mountPoint, File.ReadAllText("/proc/mounts"));
    }

    private static bool IsRunning(int pid)
    {
        var status = $"/proc/{pid}/status";
        if (!File.Exists(status)) return false;
        try
        {
            return !File.ReadAllText(status).Contains("State:\tZ");
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static JsonElement Info(string path)
    {
        using var document = JsonDocument.Parse(Run("qemu-img", "info", "--output=json", path));
        return document.RootElement.Clone();
    }

    /// <summary>qemu-img compare's exit code: 0 when the two disks hold the same content.</summary>
    private static int Compare(string format1, string path1, string format2, string path2) =>
        RunForExitCode("qemu-img", "compare", "-q", "-f", format1, "-F", format2, path1, path2);

    private static string Sha512(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexString(SHA512.HashData(file)).ToLowerInvariant();
    }

    private static string Run(string program, params string[] args)
    {
        var (code, output, error) = Execute(program, args);
        if (code != 0) throw new InvalidOperationException($"{program} failed ({code}): {error}");
        return output;
    }

    private static int RunForExitCode(string program, params string[] args) => Execute(program, args).Code;

    private static (int Code, string Output, string Error) Execute(string program, string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error);
    }
}
