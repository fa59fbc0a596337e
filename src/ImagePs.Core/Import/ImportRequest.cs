using System;
using System.Net;
using ImagePs.Domain;
using ImagePs.Errors;

namespace ImagePs.Import;

/// <summary>One input of Import-Image: where the data is, what the new image is, what the data must be.</summary>
internal sealed class ImportRequest
{
    /// <summary>A local file (full file-system path); or null for a URL.</summary>
    public string? Path { get; init; }

    /// <summary>An http or https URL; or null for a file.</summary>
    public Uri? Uri { get; init; }

    /// <summary>A Queued image to fill from its recorded source instead of creating one.</summary>
    public Guid? RetryId { get; init; }

    /// <summary>The new image's metadata (New-Image's); a null name or disk format is taken from the source.</summary>
    public ImageDraft Draft { get; init; } = new();

    /// <summary>MD5 (hex) of the stored disk, as Send-ImageData -Checksum.</summary>
    public string? Checksum { get; init; }

    /// <summary>SHA-512 (hex) of the stored disk, as Send-ImageData -OsHashValue.</summary>
    public string? OsHashValue { get; init; }

    /// <summary>The hash of the bytes fetched (before decompression or conversion).</summary>
    public SourceHash? SourceHash { get; init; }

    /// <summary>A checksum file (SHA256SUMS and the like) that lists the source by its file name.</summary>
    public Uri? ChecksumUri { get; init; }

    public string? ChecksumPath { get; init; }

    /// <summary>For servers that ask for it; never recorded.</summary>
    public NetworkCredential? Credential { get; init; }

    /// <summary>The disk format to convert to with qemu-img, or null to store the disk as it is.</summary>
    public string? ConvertTo { get; init; }

    /// <summary>An input whose hashes match an Active image the caller owns creates nothing and returns that image.</summary>
    public bool SkipExisting { get; init; }

    /// <summary>A failed import removes its image instead of leaving it Queued with the error recorded.</summary>
    public bool RemoveOnFailure { get; init; }

    /// <summary>The source as messages and the catalog name it: the path, or the URL without userinfo.</summary>
    public string Description => Path ?? (Uri is null ? "" : Uri.IsAbsoluteUri ? UriText.Safe(Uri) : Uri.OriginalString);

    /// <summary>The source's file name: a checksum file lists it under that name, and the image is named after it.</summary>
    public string FileName =>
        Path is not null ? System.IO.Path.GetFileName(Path)
                : Uri is null || !Uri.IsAbsoluteUri ? "" : Uri.UnescapeDataString(Uri.AbsolutePath.TrimEnd('/').Split('/')[^1]);

    /// <summary>
    /// The request that retries a Queued image from what its last import recorded: its source, the
    /// conversion asked for and the source hash declared then. An image without a recorded source gets
    /// <c>ImportSourceUnknown</c>. Credentials are never recorded: give them again.
    /// </summary>
    public static ImportRequest ForRetry(Image image, NetworkCredential? credential, bool removeOnFailure)
    {
        if (!image.Properties.TryGetValue(SystemProperties.ImportSource, out var source) || string.IsNullOrEmpty(source))
            throw ImageErrors.ImportSourceUnknown(image);
        image.Properties.TryGetValue(SystemProperties.ImportConvertTo, out var convertTo);
        image.Properties.TryGetValue(SystemProperties.SourceHash, out var recordedHash);
        var isUrl = source.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || source.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        return new ImportRequest
        {
            RetryId = image.Id,
            Path = isUrl ? null : source,
            Uri = isUrl ? new Uri(source) : null,
            SourceHash = recordedHash is null ? null : ParseRecorded(recordedHash),
            ConvertTo = string.IsNullOrEmpty(convertTo) ? null : convertTo,
            Credential = credential,
            RemoveOnFailure = removeOnFailure,
            Draft = new ImageDraft { Name = image.Name, DiskFormat = image.DiskFormat, ContainerFormat = image.ContainerFormat },
        };
    }

    /// <summary>A source hash as <see cref="SystemProperties.SourceHash"/> records it: <c>&lt;algorithm&gt;:&lt;hex&gt;</c>.</summary>
    public static SourceHash ParseRecorded(string recorded)
    {
        var colon = recorded.IndexOf(':');
        return colon <= 0 ? Import.SourceHash.Parse(recorded, "SHA256") : Import.SourceHash.Parse(recorded.Substring(colon + 1), recorded.Substring(0, colon).ToUpperInvariant());
    }
}
