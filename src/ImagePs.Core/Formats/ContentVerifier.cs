using System;
using System.Globalization;
using System.IO;
using System.Threading;
using ImagePs.Domain;
using ImagePs.Errors;
using ImagePs.Settings;
using ImagePs.Store;

namespace ImagePs.Formats;

/// <summary>
/// The checks image content passes before ImagePs keeps it, shared by New-Image (the source file) and
/// the location layer (the stored data): the native inspector first (unsafe content is refused with
/// <c>UnsafeImage</c>, always), then the declared disk format against the detected one
/// (<c>DiskFormatMismatch</c>, unless RequireDiskFormatMatch is false), then the virtual size from the
/// inspector and/or qemu-img, as VirtualSizeProbe says. qemu-img only ever sees data that passed.
/// </summary>
internal sealed class ContentVerifier
{
    private readonly RepositorySettings _settings;
    private readonly IVirtualSizeProbe _probe;
    private readonly IOperationObserver _observer;

    public ContentVerifier(RepositorySettings settings, IVirtualSizeProbe probe, IOperationObserver observer)
    {
        _settings = settings;
        _probe = probe;
        _observer = observer;
    }

    /// <summary>The outcome for uploaded data.</summary>
    public sealed class Verified
    {
        public Verified(string format, long? virtualSize, long? disagreeingQemuSize, string origin)
        {
            Format = format;
            VirtualSize = virtualSize;
            DisagreeingQemuSize = disagreeingQemuSize;
            Origin = origin;
        }

        /// <summary>The format the content was accepted as.</summary>
        public string Format { get; }

        public long? VirtualSize { get; }

        /// <summary>qemu-img's virtual size when it differs from the inspector's (recorded as a property).</summary>
        public long? DisagreeingQemuSize { get; }

        /// <summary>Where <see cref="VirtualSize"/> came from and whether qemu-img agreed (or why it did not run), for people.</summary>
        public string Origin { get; }
    }

    /// <summary>
    /// New-Image: inspects the source file and returns the disk format the image gets: the declared
    /// one when it matches the content, else the detected one when none was declared.
    /// </summary>
    public string ChooseDiskFormat(string path, string? declared, string? containerFormat)
    {
        ImageInspection inspection;
        try
        {
            inspection = ImageInspector.Inspect(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw SourceFile.Classify(e, path);
        }
        if (!inspection.IsSafe) throw ImageErrors.UnsafeImage(path, path, inspection.Findings);
        if (declared is null) return DiskFormatRules.DiskFormatFor(inspection.Format, path);

        var canonical = ImageFormats.CanonicalDiskFormat(declared);
        if (canonical is not null && IsBare(containerFormat)) CheckMatch(path, path, canonical, inspection.Format);
        return declared;
    }

    /// <summary>Upload: verifies the data just stored for <paramref name="image"/>; throws when it must not be kept.</summary>
    /// <param name="adoptFormat">The image's disk format was only detected from the head of the data: the stored content's format replaces it.</param>
    public Verified VerifyUpload(Image image, Func<Stream> open, string? localPath, CancellationToken cancellationToken, bool adoptFormat = false)
    {
        ImageInspection inspection;
        try
        {
            using var data = open();
            inspection = ImageInspector.Inspect(data);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw ImageErrors.StoreReadFailed(localPath ?? image.Id.ToString(), e);
        }
        if (adoptFormat && inspection.IsSafe && IsBare(image.ContainerFormat)) image.SetDiskFormat(DiskFormatRules.DiskFormatFor(inspection.Format, ""));
        var format = CheckStored(image, inspection);
        if (format is null) return new Verified(inspection.Format, null, null, F(Messages.OriginNotForContainer, image.ContainerFormat));

        var native = format == inspection.Format ? inspection.VirtualSize : RawInspector.VirtualSize(inspection.Length);
        return ProbeVirtualSize(image, format, native, localPath, cancellationToken);
    }

    /// <summary>
    /// The content rules for an image's stored data, as an upload applies them and Test-Image applies
    /// them again later: unsafe content is <c>UnsafeImage</c>; in a bare container the declared disk
    /// format must match the content (<c>DiskFormatMismatch</c>, unless RequireDiskFormatMatch is false).
    /// Returns the format the content is read as, or null in another container (not inspected further).
    /// </summary>
    public string? CheckStored(Image image, ImageInspection inspection)
    {
        if (!inspection.IsSafe) throw ImageErrors.UnsafeImage(image, image.Id, inspection.Findings);
        if (!IsBare(image.ContainerFormat)) return null;
        return CheckMatch(image, image.Id, image.DiskFormat ?? ContentFormats.Raw, inspection.Format);
    }

    /// <summary>The format the content is read as; throws DiskFormatMismatch when required and it does not match.</summary>
    private string CheckMatch(object subject, object target, string declared, string detected)
    {
        var accepted = DiskFormatRules.AcceptedAs(declared, detected);
        if (accepted is not null) return accepted;
        if (_settings.RequireDiskFormatMatch) throw ImageErrors.DiskFormatMismatch(subject, target, declared, detected);
        _observer.Warning(string.Format(Messages.DiskFormatMismatchAccepted, subject, declared, detected));
        return detected;
    }

    private Verified ProbeVirtualSize(Image image, string format, long? native, string? localPath, CancellationToken cancellationToken)
    {
        if (_probe is UnavailableProbe skipped) return new Verified(format, native, null, Native(native, F(Messages.OriginQemuNotRun, skipped.Reason)));
        var mode = _settings.VirtualSizeProbe ?? (_probe.IsAvailable ? VirtualSizeProbeMode.Both : VirtualSizeProbeMode.Native);
        if (_settings.VirtualSizeProbe is null && mode == VirtualSizeProbeMode.Native && _settings.QemuImgPath is not null)
            _observer.Warning(string.Format(Messages.VirtualSizeUnconfirmed, image, string.Format(Messages.QemuImgPathNotFound, _settings.QemuImgPath)));
        if (mode == VirtualSizeProbeMode.Native)
        {
            var why = _settings.VirtualSizeProbe is null ? Messages.ReasonQemuImgNotFound : Messages.ReasonProbeSettingNative;
            return new Verified(format, native, null, Native(native, F(Messages.OriginQemuNotRun, why)));
        }

        var qemu = localPath is null ? VirtualSizeResult.Unknown(Messages.QemuImgNoLocalFile) : _probe.Probe(localPath, format, cancellationToken);
        if (qemu.UnsafeReason is not null)
            throw ImageErrors.UnsafeImage(image, image.Id, new[] { new SafetyFinding(Checks.BackingFile, qemu.UnsafeReason) });

        if (mode == VirtualSizeProbeMode.QemuImg)
        {
            if (qemu.Problem is not null) _observer.Warning(string.Format(Messages.VirtualSizeUnknown, image, qemu.Problem));
            return new Verified(format, qemu.VirtualSize, null,
                qemu.Problem is null ? F(Messages.OriginQemuImgSetting, qemu.VirtualSize) : F(Messages.OriginQemuImgFailed, qemu.Problem));
        }

        if (qemu.Problem is not null)
        {
            _observer.Warning(string.Format(Messages.VirtualSizeUnconfirmed, image, qemu.Problem));
            return new Verified(format, native, null, Native(native, F(Messages.OriginQemuUnconfirmed, qemu.Problem)));
        }
        if (native is null) return new Verified(format, qemu.VirtualSize, null, F(Messages.OriginQemuOnly, qemu.VirtualSize));
        if (qemu.VirtualSize == native) return new Verified(format, native, null, Native(native, Messages.OriginQemuAgreed));
        _observer.Warning(string.Format(Messages.VirtualSizeDisagreement, image, native, qemu.VirtualSize));
        return new Verified(format, native, qemu.VirtualSize, Native(native, F(Messages.OriginQemuDisagreed, qemu.VirtualSize)));
    }

    /// <summary>"N bytes from ImagePs's inspector; what qemu-img said", or that the inspector read none.</summary>
    private static string Native(long? native, string qemu) =>
        native is long size ? F(Messages.OriginNative, size, qemu) : F(Messages.OriginNoneNative, qemu);

    private static string F(string format, params object?[] args) => string.Format(CultureInfo.CurrentCulture, format, args);

    private static bool IsBare(string? containerFormat) => containerFormat is null || containerFormat == "bare";
}
