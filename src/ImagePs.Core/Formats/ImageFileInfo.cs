using System.Collections.Generic;
using ImagePs.Formats;

namespace ImagePs;

/// <summary>
/// What the native inspector finds in a local disk-image file before it is ingested (Get-ImageFileInfo):
/// format, variant, file and virtual size, and whether it is safe, with the findings that say why not.
/// </summary>
public sealed class ImageFileInfo
{
    internal ImageFileInfo(string path, ImageInspection inspection, string? checksum, string? osHashValue)
    {
        Path = path;
        Format = inspection.Format;
        Variant = inspection.Variant;
        FileSize = inspection.Length;
        VirtualSize = inspection.VirtualSize;
        Findings = inspection.Findings;
        Checksum = checksum;
        OsHashValue = osHashValue;
        OsHashAlgo = osHashValue is null ? null : "sha512";
    }

    /// <summary>The full path of the file.</summary>
    public string Path { get; }

    /// <summary>The disk format the content is (qcow2, vmdk, vhd, vhdx, vdi, qed, iso, gpt, mbr, luks, raw).</summary>
    public string Format { get; }

    /// <summary>The format's variant when it has one (for example dynamic, fixed, differencing, streamOptimized).</summary>
    public string? Variant { get; }

    /// <summary>Bytes in the file.</summary>
    public long FileSize { get; }

    /// <summary>Size of the disk the image represents, from its header; null when the format does not say.</summary>
    public long? VirtualSize { get; }

    /// <summary>True when the inspector found nothing that makes the file unsafe to use.</summary>
    public bool Safe => Findings.Count == 0;

    /// <summary>Why the file is unsafe: backing or parent files (named), unknown features, malformed headers, ...</summary>
    public IReadOnlyList<SafetyFinding> Findings { get; }

    /// <summary>MD5 of the whole file, lower-case hex, with -Hash (what Glance stores as checksum).</summary>
    public string? Checksum { get; }

    /// <summary>"sha512" with -Hash.</summary>
    public string? OsHashAlgo { get; }

    /// <summary>SHA-512 of the whole file, lower-case hex, with -Hash (Glance's os_hash_value).</summary>
    public string? OsHashValue { get; }
}
