using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using CliWrap;
using ImagePs.Errors;
using ImagePs.Formats;
using ImagePs.Settings;
using ImagePs.Store;

namespace ImagePs.Import;

/// <summary>
/// Glance's image_conversion plugin, made safe: the source is inspected natively and refused
/// (<c>UnsafeImage</c>) before qemu-img ever opens it; then <c>qemu-img convert -f &lt;detected
/// driver&gt; -O &lt;target driver&gt;</c> runs through CliWrap under <see cref="ConversionLimits"/>,
/// writing into a temporary file in the repository; the output is inspected natively (and by
/// qemu-img info when a probe is given) before it is returned; the source must still be the file
/// inspected (same file, size and time) once qemu-img is done. Any failure or cancellation deletes
/// the output. Converting to the format the source already has is done like any other conversion
/// (qemu-img rewrites the image); the caller skips it when it wants the original.
/// </summary>
internal sealed class ImageConverter
{
    /// <summary>The formats -ConvertTo takes, as Glance names them.</summary>
    public static readonly IReadOnlyList<string> TargetFormats = new[] { "raw", "qcow2", "vmdk", "vhdx", "vhd", "vdi" };

    private const int ChunkSize = 1024 * 1024;
    private const int StderrLinesKept = 3;
    private readonly RepositorySettings _settings;
    private readonly IVirtualSizeProbe? _probe;
    private readonly IOperationObserver _observer;
    private readonly ProcessLimitMethod _limitMethod;
    private readonly ConversionLimits? _fixedLimits;

    public ImageConverter(RepositorySettings settings, IVirtualSizeProbe? probe, IOperationObserver observer)
        : this(settings, probe, observer, null, null)
    {
    }

    /// <summary>For tests: another way of applying limits, or fixed limits instead of the scaled ones.</summary>
    internal ImageConverter(RepositorySettings settings, IVirtualSizeProbe? probe, IOperationObserver observer,
        ProcessLimitMethod? limitMethod, ConversionLimits? fixedLimits)
    {
        _settings = settings;
        _probe = probe;
        _observer = observer;
        _limitMethod = limitMethod ?? ProcessLimits.Detect();
        _fixedLimits = fixedLimits;
    }

    /// <summary>qemu-img's driver for a target disk format (<c>-O</c>): vhd is <c>vpc</c>; anything but <see cref="TargetFormats"/> is ImportConversionUnsupported.</summary>
    public static string QemuDriver(string diskFormat) => diskFormat switch
    {
        "vhd" => "vpc",
        "raw" or "qcow2" or "vmdk" or "vhdx" or "vdi" => diskFormat,
        _ => throw ImageErrors.ImportConversionUnsupported(diskFormat),
    };

    /// <summary>Whether qemu-img can be run (QemuImgPath, else PATH).</summary>
    public bool IsAvailable => Locate(out _) is not null;

    public ConvertedImage Convert(string sourcePath, string targetFormat, ImportTemporaryFiles temporary, CancellationToken cancellationToken)
    {
        var targetDriver = QemuDriver(targetFormat);
        var qemuImg = Locate(out var missing) ?? throw ImageErrors.ImportConverterMissing(missing!);
        var source = SourceFile.Check(sourcePath);
        // The handle stays open until qemu-img is done: the file it read must still be the one inspected.
        using var held = OpenSource(source, cancellationToken);
        var inspectedAt = File.GetLastWriteTimeUtc(source);
        var (inspection, sha512) = InspectAndHash(held, source, cancellationToken);
        if (inspection.Format == ContentFormats.Luks) throw ImageErrors.ImportSourceNotConvertible(source, inspection.Format);
        var sourceFormat = inspection.Format == ContentFormats.Gpt ? ContentFormats.Raw : inspection.Format;
        var virtualSize = inspection.VirtualSize ?? RawInspector.VirtualSize(inspection.Length);

        var output = temporary.Create(targetFormat);
        try
        {
            Run(qemuImg, ContentFormats.QemuDriver(inspection.Format), sourceFormat, targetDriver, targetFormat, source, output.Path,
                virtualSize, temporary.FolderPath, cancellationToken);
            if (!RepositoryFile.IsStillAt(held, source) || held.Length != inspection.Length || File.GetLastWriteTimeUtc(source) != inspectedAt)
                throw ImageErrors.ImportConversionFailed(source, targetFormat, Messages.ConversionSourceChanged);
            var converted = CheckOutput(source, output.Path, targetFormat, virtualSize, cancellationToken);
            return new ConvertedImage(output, sourceFormat, sha512, targetFormat, converted);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            output.Dispose();
            throw ImageErrors.ImportConversionFailed(source, targetFormat, e.Message);
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }

    private static FileStream OpenSource(string path, CancellationToken cancellationToken) => SourceFile.Open(path, out _, cancellationToken);

    /// <summary>Inspects and hashes the source through one handle; unsafe content is refused before it is hashed.</summary>
    private static (ImageInspection Inspection, string Sha512) InspectAndHash(FileStream file, string path, CancellationToken cancellationToken)
    {
        try
        {
            var inspection = ImageInspector.Inspect(file);
            if (!inspection.IsSafe) throw ImageErrors.UnsafeImage(path, path, inspection.Findings);
            file.Position = 0;
            using var sha512 = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
            var buffer = new byte[ChunkSize];
            int read;
            while ((read = file.Read(buffer, 0, buffer.Length)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                sha512.AppendData(buffer, 0, read);
            }
            return (inspection, System.Convert.ToHexString(sha512.GetHashAndReset()).ToLowerInvariant());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw SourceFile.Classify(e, path);
        }
    }

    private void Run(string qemuImg, string sourceDriver, string sourceFormat, string targetDriver, string targetFormat,
        string source, string output, long virtualSize, string folder, CancellationToken cancellationToken)
    {
        var arguments = new List<string> { "convert", "-f", sourceDriver, "-O", targetDriver };
        // A vhd keeps the exact virtual size instead of qemu's CHS rounding (as Hyper-V and Azure expect).
        if (targetDriver == "vpc") arguments.AddRange(new[] { "-o", "force_size=on" });
        arguments.Add(source);
        arguments.Add(output);
        var limits = _fixedLimits ?? ConversionLimits.For(virtualSize);
        var (program, wrapped) = ProcessLimits.Wrap(_limitMethod, qemuImg, arguments, limits.CpuSeconds, limits.AddressSpaceBytes);
        _observer.Verbose(string.Format(System.Globalization.CultureInfo.CurrentCulture, Messages.ConversionRunning,
            source, sourceFormat, virtualSize, targetFormat, string.Join(" ", new[] { program }.Concat(wrapped))));

        var stderr = new FirstLines(StderrLinesKept);
        CliWrap.CommandResult result;
        try
        {
            // Cancellation kills qemu-img (CliWrap waits for it to exit), then the caller deletes the output.
            result = Cli.Wrap(program)
                .WithArguments(wrapped)
                .WithValidation(CommandResultValidation.None)
                .WithStandardOutputPipe(PipeTarget.Null)
                .WithStandardErrorPipe(PipeTarget.Create(stderr.ReadAsync))
                .ExecuteAsync(cancellationToken)
                .Task.GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            throw ImageErrors.ImportConversionFailed(source, targetFormat, Format(Messages.ConversionStartFailed, program, e.Message));
        }

        if (result.ExitCode == 0) return;
        if (result.ExitCode > 128 && result.ExitCode < 128 + 65 && _limitMethod != ProcessLimitMethod.None)
            throw ImageErrors.ImportConversionFailed(source, targetFormat,
                Format(Messages.ConversionLimitExceeded, result.ExitCode - 128, limits.CpuSeconds, limits.AddressSpaceBytes));
        var reason = Format(Messages.ConversionExitCode, result.ExitCode, stderr.Text);
        if (stderr.DiskFull) throw ImageErrors.ImportConversionDiskFull(source, targetFormat, folder, reason);
        throw ImageErrors.ImportConversionFailed(source, targetFormat, reason);
    }

    /// <summary>The output must be the target format, safe, and at least as large a disk as the source; returns its virtual size.</summary>
    private long CheckOutput(string source, string output, string targetFormat, long sourceVirtualSize, CancellationToken cancellationToken)
    {
        ImageInspection inspection;
        try
        {
            using var file = RepositoryFile.Open(output, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.RandomAccess);
            inspection = ImageInspector.Inspect(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw ImageErrors.ImportConversionFailed(source, targetFormat, e.Message);
        }
        if (!inspection.IsSafe)
            throw ImageErrors.ImportConversionFailed(source, targetFormat, Format(Messages.ConversionOutputUnsafe, inspection.DescribeFindings()));
        var readAs = targetFormat == ContentFormats.Raw && inspection.Format == ContentFormats.Iso
            ? ContentFormats.Raw
            : DiskFormatRules.AcceptedAs(targetFormat, inspection.Format);
        if (readAs is null)
            throw ImageErrors.ImportConversionFailed(source, targetFormat, Format(Messages.ConversionOutputWrongFormat, inspection.Format, targetFormat));

        var virtualSize = readAs == inspection.Format && inspection.VirtualSize is long native ? native : RawInspector.VirtualSize(inspection.Length);
        if (_probe is { IsAvailable: true })
        {
            var qemu = _probe.Probe(output, readAs, cancellationToken);
            if (qemu.UnsafeReason is not null)
                throw ImageErrors.ImportConversionFailed(source, targetFormat, Format(Messages.ConversionOutputUnsafe, qemu.UnsafeReason));
            if (qemu.VirtualSize is long reported && reported < virtualSize) virtualSize = reported;
        }
        if (virtualSize < sourceVirtualSize)
            throw ImageErrors.ImportConversionFailed(source, targetFormat, Format(Messages.ConversionOutputTooSmall, virtualSize, sourceVirtualSize));
        return virtualSize;
    }

    private string? Locate(out string? missing)
    {
        missing = null;
        if (!string.IsNullOrEmpty(_settings.QemuImgPath))
        {
            if (File.Exists(_settings.QemuImgPath)) return _settings.QemuImgPath;
            missing = Format(Messages.ConverterPathNotFound, _settings.QemuImgPath);
            return null;
        }
        var found = ExecutableSearch.Find("qemu-img");
        if (found is null) missing = Messages.ConverterNotOnPath;
        return found;
    }

    private static string Format(string format, params object?[] args) =>
        string.Format(System.Globalization.CultureInfo.CurrentCulture, format, args);

    /// <summary>Keeps the first lines of qemu-img's error output (bounded) and drains the rest.</summary>
    private sealed class FirstLines
    {
        private const int MaxBytes = 16 * 1024;
        private readonly int _lines;
        private readonly MemoryStream _kept = new();

        public FirstLines(int lines) => _lines = lines;

        public string Text
        {
            get
            {
                var lines = Encoding.UTF8.GetString(_kept.GetBuffer(), 0, (int)_kept.Length)
                    .Split('\n').Select(l => Clean(l.Trim())).Where(l => l.Length > 0).Take(_lines).ToArray();
                return lines.Length == 0 ? "(no message)" : string.Join(" / ", lines);
            }
        }

        /// <summary>Controls become '?'; a line is cut at 400 characters (its paths are the caller's own).</summary>
        private static string Clean(string line)
        {
            var chars = line.Select(c => char.IsControl(c) ? '?' : c).ToArray();
            return chars.Length <= 400 ? new string(chars) : new string(chars, 0, 400) + "\u2026";
        }

        /// <summary>ENOSPC or EDQUOT, as qemu-img words them (strerror) on Linux, macOS and Windows.</summary>
        public bool DiskFull
        {
            get
            {
                var text = Encoding.UTF8.GetString(_kept.GetBuffer(), 0, (int)_kept.Length);
                return text.Contains("No space left on device", StringComparison.OrdinalIgnoreCase)
                    || text.Contains("Disk quota exceeded", StringComparison.OrdinalIgnoreCase)
                    || text.Contains("not enough space on the disk", StringComparison.OrdinalIgnoreCase);
            }
        }

        public async Task ReadAsync(Stream output, CancellationToken cancellationToken)
        {
            var buffer = new byte[4096];
            int n;
            while ((n = await output.ReadAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false)) > 0)
            {
                var room = MaxBytes - (int)_kept.Length;
                if (room > 0) _kept.Write(buffer, 0, Math.Min(n, room));
            }
        }
    }
}
