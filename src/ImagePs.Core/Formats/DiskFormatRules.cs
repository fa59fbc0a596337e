using System;
using System.Collections.Generic;
using System.IO;

namespace ImagePs.Formats;

/// <summary>
/// How a declared Glance disk format relates to the detected content format (Glance's
/// require_image_format_match, with its allowances), and which disk format New-Image gives a file.
/// </summary>
internal static class DiskFormatRules
{
    /// <summary>Disk formats Glance cannot inspect: their content is raw to every inspector.</summary>
    private static readonly HashSet<string> Uninspectable = new(StringComparer.Ordinal) { "ami", "ari", "aki", "ploop" };

    private static readonly Dictionary<string, string> UninspectableByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".ami"] = "ami", [".ari"] = "ari", [".aki"] = "aki", [".ploop"] = "ploop", [".hds"] = "ploop",
    };

    /// <summary>
    /// The format the content is accepted as when it is declared <paramref name="declared"/>, or null
    /// when the two do not match. Accepted besides an exact match: a partitioned disk (<c>gpt</c>)
    /// declared raw (Glance's allowance) or iso, unrecognised content declared ami, ari, aki or ploop
    /// (Glance cannot inspect those), and a LUKS volume declared raw (how Cinder uploads encrypted
    /// volumes). Those are read as raw. Content in any format the inspector recognises, a partitioned
    /// disk included, is not ami, ari, aki or ploop: Glance refuses it, and so does ImagePs.
    /// </summary>
    public static string? AcceptedAs(string declared, string detected)
    {
        if (string.Equals(declared, detected, StringComparison.Ordinal)) return detected;
        if (detected == ContentFormats.Gpt && (declared == "raw" || declared == "iso")) return ContentFormats.Raw;
        if (detected == ContentFormats.Raw && Uninspectable.Contains(declared)) return ContentFormats.Raw;
        if (detected == ContentFormats.Luks && declared == "raw") return ContentFormats.Raw;
        return null;
    }

    /// <summary>
    /// The Glance disk format New-Image gives content detected as <paramref name="detected"/>: the same
    /// name, raw for a partitioned disk or a LUKS volume (they have no Glance disk format of their
    /// own); for unrecognised content, ami/ari/aki/ploop by the file's extension, else raw.
    /// </summary>
    public static string DiskFormatFor(string detected, string path)
    {
        switch (detected)
        {
            case ContentFormats.Gpt:
            case ContentFormats.Luks:
            case ContentFormats.Qed:
                return "raw";
            case ContentFormats.Raw:
                return UninspectableByExtension.TryGetValue(Path.GetExtension(path), out var byExtension) ? byExtension : "raw";
            default:
                return detected;
        }
    }
}
