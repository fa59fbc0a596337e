using System;
using System.Collections.Generic;

namespace ImagePs;

/// <summary>
/// What Test-Image found for one image: the verdict and why, and the figures it compared (the
/// catalog's against what was read from the store).
/// </summary>
public sealed class ImageVerification
{
    internal ImageVerification(Image image, ImageVerificationReason reason, string message)
    {
        _subject = image.ToString();
        Id = image.Id;
        Name = image.Name;
        Status = image.Status;
        Reason = reason;
        Message = message;
        DiskFormat = image.DiskFormat;
        ExpectedSize = image.Size;
        ExpectedChecksum = image.Checksum;
        OsHashAlgo = image.OsHashAlgo;
        ExpectedOsHashValue = image.OsHashValue;
    }

    private readonly string _subject;

    public Guid Id { get; }
    public string? Name { get; }

    /// <summary>The image's status when it was tested.</summary>
    public ImageStatus Status { get; }

    /// <summary>True only when <see cref="Reason"/> is Intact.</summary>
    public bool Passed => Reason == ImageVerificationReason.Intact;

    public ImageVerificationReason Reason { get; }

    /// <summary>A sentence saying what was found.</summary>
    public string Message { get; }

    /// <summary>The declared disk format, and the one the stored content was detected as.</summary>
    public string? DiskFormat { get; }
    public string? DetectedFormat { get; internal set; }

    /// <summary>Why the content is unsafe, when it is.</summary>
    public IReadOnlyList<SafetyFinding> Findings { get; internal set; } = Array.Empty<SafetyFinding>();

    public long? ExpectedSize { get; }
    public long? ActualSize { get; internal set; }
    public string? ExpectedChecksum { get; }
    public string? ActualChecksum { get; internal set; }
    public string? OsHashAlgo { get; }
    public string? ExpectedOsHashValue { get; }
    public string? ActualOsHashValue { get; internal set; }

    /// <summary>Bytes of data read from the store (headers read for the inspection not counted).</summary>
    public long BytesRead { get; internal set; }

    /// <summary>How long reading and checking took.</summary>
    public TimeSpan Duration { get; internal set; }

    /// <summary>Where the data was read from (the store's location).</summary>
    public string? Location { get; internal set; }

    public override string ToString() => $"{_subject}: {Reason}";
}
