using System;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using CliWrap;

namespace ImagePs.Formats;

/// <summary>
/// The original design's virtual-size probe: <c>qemu-img info -f &lt;driver&gt; --output=json</c> through
/// CliWrap, always with an explicit format (never letting qemu-img guess), a time limit and a bound on
/// the output it may produce. A missing qemu-img is not an error: the size stays unknown.
/// </summary>
internal sealed class QemuImgProbe : IVirtualSizeProbe
{
    private const int MaxOutputBytes = 1 << 20;
    private readonly string? _configuredPath;
    private readonly TimeSpan _timeout;

    public QemuImgProbe(string? configuredPath, TimeSpan? timeout = null)
    {
        _configuredPath = configuredPath;
        _timeout = timeout ?? TimeSpan.FromSeconds(30);
    }

    public VirtualSizeResult Probe(string path, string diskFormat, CancellationToken cancellationToken)
    {
        var executable = Locate();
        if (executable is null) return VirtualSizeResult.Unknown(Messages.QemuImgNotFound);

        var stdout = new BoundedSink(MaxOutputBytes);
        var stderr = new BoundedSink(16 * 1024);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        CliWrap.CommandResult result;
        try
        {
            result = Cli.Wrap(executable)
                .WithArguments(new[] { "info", "-f", DiskFormatDetector.QemuDriver(diskFormat), "--output=json", path })
                .WithValidation(CommandResultValidation.None)
                .WithStandardOutputPipe(PipeTarget.Create(stdout.ReadAsync))
                .WithStandardErrorPipe(PipeTarget.Create(stderr.ReadAsync))
                .ExecuteAsync(timeout.Token)
                .GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return VirtualSizeResult.Unknown(string.Format(Messages.QemuImgTimedOut, _timeout.TotalSeconds));
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return VirtualSizeResult.Unknown(string.Format(Messages.QemuImgFailed, executable, e.Message));
        }

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
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("virtual-size", out var size)
                && size.ValueKind == JsonValueKind.Number && size.TryGetInt64(out var value) && value >= 0)
                return VirtualSizeResult.Of(value);
            return VirtualSizeResult.Unknown(Messages.QemuImgNoVirtualSize);
        }
        catch (JsonException e)
        {
            return VirtualSizeResult.Unknown(string.Format(Messages.QemuImgUnparsable, e.Message));
        }
    }

    private string? Locate()
    {
        if (!string.IsNullOrEmpty(_configuredPath)) return File.Exists(_configuredPath) ? _configuredPath : null;
        return ExecutableSearch.Find("qemu-img");
    }

    private static string FirstLine(string text)
    {
        var line = text.Split('\n')[0].Trim();
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
