using System;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using CliWrap;

namespace ImagePs.Formats;

/// <summary>
/// The original design's virtual-size probe, made safe: <c>qemu-img info -f &lt;driver&gt; --output=json</c>
/// through CliWrap, only ever with the format the native inspector detected (never letting qemu-img
/// guess), under a wall-clock limit and CPU/address-space limits (<see cref="ProcessLimits"/>), with
/// its output bounded. A non-zero exit, a signal, or output that is not the JSON expected is a clear
/// problem, never a size. An answer naming a backing or data file is reported as unsafe.
/// </summary>
internal sealed class QemuImgProbe : IVirtualSizeProbe
{
    private const int MaxOutputBytes = 1 << 20;
    private static readonly TimeSpan CompletionGrace = TimeSpan.FromSeconds(10);
    private readonly string? _configuredPath;
    private readonly TimeSpan _timeout;
    private readonly ProcessLimitMethod _limits;

    public QemuImgProbe(string? configuredPath, TimeSpan? timeout = null, ProcessLimitMethod? limits = null)
    {
        _configuredPath = configuredPath;
        _timeout = timeout ?? TimeSpan.FromSeconds(30);
        _limits = limits ?? ProcessLimits.Detect();
    }

    public bool IsAvailable => Locate() is not null;

    /// <summary>Whether qemu-img was asked for explicitly (QemuImgPath set): then its absence is worth a warning.</summary>
    public bool IsConfigured => !string.IsNullOrEmpty(_configuredPath);

    public ProcessLimitMethod Limits => _limits;

    public VirtualSizeResult Probe(string path, string format, CancellationToken cancellationToken)
    {
        var executable = Locate();
        if (executable is null)
            return VirtualSizeResult.Unknown(IsConfigured ? string.Format(Messages.QemuImgPathNotFound, _configuredPath) : Messages.QemuImgNotFound);

        var (program, arguments) = ProcessLimits.Wrap(_limits, executable,
            new[] { "info", "-f", ContentFormats.QemuDriver(format), "--output=json", path });
        var stdout = new BoundedSink(MaxOutputBytes);
        var stderr = new BoundedSink(16 * 1024);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        CliWrap.CommandResult result;
        try
        {
            var execution = Cli.Wrap(program)
                .WithArguments(arguments)
                .WithValidation(CommandResultValidation.None)
                .WithStandardOutputPipe(PipeTarget.Create(stdout.ReadAsync))
                .WithStandardErrorPipe(PipeTarget.Create(stderr.ReadAsync))
                .ExecuteAsync(timeout.Token)
                .Task;
            // The time limit kills qemu-img; this bound only matters if the end of its run is never
            // observed (an output pipe held open elsewhere): the upload must not wait for ever.
            if (!WaitQuietly(execution, _timeout + CompletionGrace))
                return VirtualSizeResult.Unknown(string.Format(Messages.QemuImgTimedOut, (_timeout + CompletionGrace).TotalSeconds));
            result = execution.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return VirtualSizeResult.Unknown(string.Format(Messages.QemuImgTimedOut, _timeout.TotalSeconds));
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return VirtualSizeResult.Unknown(string.Format(Messages.QemuImgFailed, program, e.Message));
        }

        if (result.ExitCode > 128 && result.ExitCode < 128 + 65 && _limits != ProcessLimitMethod.None)
            return VirtualSizeResult.Unknown(string.Format(Messages.QemuImgLimitExceeded, result.ExitCode - 128, ProcessLimits.CpuSeconds, ProcessLimits.AddressSpaceBytes));
        if (result.ExitCode != 0)
            return VirtualSizeResult.Unknown(string.Format(Messages.QemuImgExitCode, result.ExitCode, FirstLine(stderr.Text)));
        if (stdout.Truncated) return VirtualSizeResult.Unknown(Messages.QemuImgOutputTooLarge);
        return Parse(stdout.Text);
    }

    internal static VirtualSizeResult Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return VirtualSizeResult.Unknown(Messages.QemuImgNoVirtualSize);
            if (root.TryGetProperty("backing-filename", out var backing))
                return VirtualSizeResult.Unsafe(string.Format(Messages.QemuImgReportsBackingFile, ByteFields.Printable(backing.ToString())));
            if (root.TryGetProperty("format-specific", out var specific) && specific.ValueKind == JsonValueKind.Object
                && specific.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
                && data.TryGetProperty("data-file", out var dataFile))
                return VirtualSizeResult.Unsafe(string.Format(Messages.QemuImgReportsDataFile, ByteFields.Printable(dataFile.ToString())));
            if (root.TryGetProperty("virtual-size", out var size)
                && size.ValueKind == JsonValueKind.Number && size.TryGetInt64(out var value) && value >= 0)
                return VirtualSizeResult.Of(value);
            return VirtualSizeResult.Unknown(Messages.QemuImgNoVirtualSize);
        }
        catch (JsonException e)
        {
            return VirtualSizeResult.Unknown(string.Format(Messages.QemuImgUnparsable, e.Message));
        }
    }

    /// <summary>Waits for the task to end (in any way) within the time given; its outcome is read afterwards.</summary>
    private static bool WaitQuietly(Task task, TimeSpan limit)
    {
        try
        {
            return task.Wait(limit);
        }
        catch (AggregateException)
        {
            return true;
        }
    }

    private string? Locate()
    {
        if (!string.IsNullOrEmpty(_configuredPath)) return File.Exists(_configuredPath) ? _configuredPath : null;
        return ExecutableSearch.Find("qemu-img");
    }

    private static string FirstLine(string text)
    {
        var line = ByteFields.Printable(text.Split('\n')[0].Trim());
        return line.Length == 0 ? "(no message)" : line;
    }

    /// <summary>Keeps at most a fixed number of bytes of a child's output and drains the rest.</summary>
    private sealed class BoundedSink
    {
        private readonly int _limit;
        private readonly MemoryStream _kept = new();

        public BoundedSink(int limit) => _limit = limit;

        public bool Truncated { get; private set; }

        public string Text => Encoding.UTF8.GetString(_kept.GetBuffer(), 0, (int)_kept.Length);

        public async Task ReadAsync(Stream output, CancellationToken cancellationToken)
        {
            var buffer = new byte[16 * 1024];
            int n;
            while ((n = await output.ReadAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false)) > 0)
            {
                var room = _limit - (int)_kept.Length;
                if (n > room) Truncated = true;
                if (room > 0) _kept.Write(buffer, 0, Math.Min(n, room));
            }
        }
    }
}
