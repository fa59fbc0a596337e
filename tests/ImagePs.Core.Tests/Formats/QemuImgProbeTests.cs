using ImagePs.Formats;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Formats;

/// <summary>qemu-img run safely: the detected driver, resource limits, bounded output, clear problems.</summary>
public class QemuImgProbeTests : IDisposable
{
    private readonly TestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(ProcessLimitMethod.Prlimit)]
    [InlineData(ProcessLimitMethod.ShellUlimit)]
    [InlineData(ProcessLimitMethod.None)]
    public void Real_qemu_img_answers_under_every_limit_method(object limitMethod)
    {
        var limits = (ProcessLimitMethod)limitMethod;
        var path = _folder.File("disk.vhd");
        QemuImg.Create("vpc", path, "100M");

        var result = new QemuImgProbe(null, limits: limits).Probe(path, ContentFormats.Vhd, CancellationToken.None);

        Assert.Null(result.Problem);
        Assert.Equal(QemuImg.VirtualSize("vpc", path), result.VirtualSize);
    }

    [Fact]
    public void Prlimit_is_used_on_linux_when_installed()
    {
        Assert.Equal(ProcessLimitMethod.Prlimit, ProcessLimits.Detect());
        var (program, arguments) = ProcessLimits.Wrap(ProcessLimitMethod.Prlimit, "/usr/bin/qemu-img", new[] { "info" });
        Assert.EndsWith("prlimit", program);
        Assert.Equal(new[] { "--cpu=2", "--as=1073741824", "--", "/usr/bin/qemu-img", "info" }, arguments);
    }

    [Theory]
    [InlineData(ProcessLimitMethod.Prlimit)]
    [InlineData(ProcessLimitMethod.ShellUlimit)]
    public void A_qemu_img_that_spins_is_stopped_by_the_cpu_limit(object limitMethod)
    {
        var limits = (ProcessLimitMethod)limitMethod;
        var spinner = StandInProgram.Write(_folder.Path, "qemu-img", "while :; do :; done");

        var result = new QemuImgProbe(spinner, TimeSpan.FromSeconds(60), limits).Probe(_folder.RandomFile("d", 512), "raw", CancellationToken.None);

        Assert.Null(result.VirtualSize);
        Assert.Contains("signal", result.Problem);
        Assert.Contains("2 s of CPU time", result.Problem);
    }

    [Theory]
    [InlineData(ProcessLimitMethod.Prlimit)]
    [InlineData(ProcessLimitMethod.ShellUlimit)]
    public void A_qemu_img_that_allocates_without_bound_hits_the_address_space_limit(object limitMethod)
    {
        var limits = (ProcessLimitMethod)limitMethod;
        // dd allocates its block size up front: 1.5 GiB does not fit in 1 GiB of address space.
        var hog = StandInProgram.Write(_folder.Path, "qemu-img", "exec dd if=/dev/zero bs=1500M count=1 of=/dev/null");

        var result = new QemuImgProbe(hog, limits: limits).Probe(_folder.RandomFile("d", 512), "raw", CancellationToken.None);

        Assert.Null(result.VirtualSize);
        Assert.Contains("exited with code 1", result.Problem);
        Assert.Contains("memory exhausted", result.Problem);
    }

    [Fact]
    public void Without_limits_the_wall_clock_still_stops_it()
    {
        var sleeper = StandInProgram.Write(_folder.Path, "qemu-img", "exec sleep 60");

        var result = new QemuImgProbe(sleeper, TimeSpan.FromSeconds(1), ProcessLimitMethod.None).Probe(_folder.RandomFile("d", 512), "raw", CancellationToken.None);

        Assert.Contains("did not answer within 1 seconds", result.Problem);
    }

    [Fact]
    public void Output_beyond_the_bound_is_a_problem_not_a_size()
    {
        var flood = StandInProgram.Write(_folder.Path, "qemu-img", "head -c 3000000 /dev/zero | tr '\\0' ' '; echo '{\"virtual-size\": 1}'");

        var result = new QemuImgProbe(flood).Probe(_folder.RandomFile("d", 512), "raw", CancellationToken.None);

        Assert.Null(result.VirtualSize);
        Assert.Contains("more output", result.Problem);
    }

    [Fact]
    public void Non_zero_exit_names_the_code_and_the_first_line_of_stderr()
    {
        var failing = StandInProgram.Write(_folder.Path, "qemu-img", "echo 'qemu-img: Image is not in vpc format' >&2; echo 'second line' >&2; exit 3");

        var result = new QemuImgProbe(failing).Probe(_folder.RandomFile("d", 512), "vhd", CancellationToken.None);

        Assert.Equal("qemu-img exited with code 3: qemu-img: Image is not in vpc format", result.Problem);
    }

    [Fact]
    public void The_detected_driver_is_passed_with_f()
    {
        var echo = StandInProgram.Write(_folder.Path, "qemu-img", "echo \"{\\\"virtual-size\\\": 5, \\\"args\\\": \\\"$*\\\"}\" >&2; echo \"$*\" >&2; exit 9");
        var file = _folder.RandomFile("d", 512);

        var result = new QemuImgProbe(echo, limits: ProcessLimitMethod.None).Probe(file, ContentFormats.Vhd, CancellationToken.None);

        Assert.Contains($"info -f vpc --output=json {file}", result.Problem);
    }

    [Theory]
    [InlineData("{\"virtual-size\": 1073741824, \"format\": \"qcow2\"}", 1073741824L, null)]
    [InlineData("{\"format\": \"qcow2\"}", null, "no virtual-size")]
    [InlineData("{\"virtual-size\": -1}", null, "no virtual-size")]
    [InlineData("{\"virtual-size\": \"big\"}", null, "no virtual-size")]
    [InlineData("{\"virtual-size\": 1e30}", null, "no virtual-size")]
    [InlineData("[1,2]", null, "no virtual-size")]
    [InlineData("not json", null, "not valid JSON")]
    [InlineData("", null, "not valid JSON")]
    public void Answers_are_parsed_strictly(string json, long? size, string? problem)
    {
        var result = QemuImgProbe.Parse(json);

        Assert.Equal(size, result.VirtualSize);
        Assert.Null(result.UnsafeReason);
        if (problem is null) Assert.Null(result.Problem);
        else Assert.Contains(problem, result.Problem);
    }

    [Theory]
    [InlineData("{\"virtual-size\": 1, \"backing-filename\": \"/etc/shadow\"}", "backing file '/etc/shadow'")]
    [InlineData("{\"virtual-size\": 1, \"format-specific\": {\"type\": \"qcow2\", \"data\": {\"data-file\": \"/dev/sda\"}}}", "data file '/dev/sda'")]
    public void An_answer_naming_another_file_is_unsafe(string json, string reason)
    {
        var result = QemuImgProbe.Parse(json);

        Assert.Null(result.VirtualSize);
        Assert.Contains(reason, result.UnsafeReason);
    }

    [Fact]
    public void Missing_qemu_img_is_a_problem_naming_the_configured_path()
    {
        var probe = new QemuImgProbe("/nonexistent/qemu-img");

        Assert.False(probe.IsAvailable);
        Assert.Contains("/nonexistent/qemu-img", probe.Probe(_folder.RandomFile("d", 512), "raw", CancellationToken.None).Problem);
    }
}
