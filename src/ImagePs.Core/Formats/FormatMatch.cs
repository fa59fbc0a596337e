using System.Collections.Generic;

namespace ImagePs.Formats;

/// <summary>What one format's probe found: the content is this format, of this virtual size, with these findings.</summary>
internal sealed class FormatMatch
{
    public FormatMatch(string format, long? virtualSize, string? variant = null)
    {
        Format = format;
        VirtualSize = virtualSize;
        Variant = variant;
    }

    public string Format { get; }

    /// <summary>Bytes a guest sees, as qemu computes it; null when the header cannot tell.</summary>
    public long? VirtualSize { get; }

    /// <summary>The sub-format when it matters (vhd fixed/dynamic/differencing, vmdk createType, gpt/mbr).</summary>
    public string? Variant { get; }

    public List<SafetyFinding> Findings { get; } = new();

    public FormatMatch With(string check, string message)
    {
        Findings.Add(new SafetyFinding(check, message));
        return this;
    }

    /// <summary>The format's magic number matched but its header cannot be read safely.</summary>
    public static FormatMatch Malformed(string format, string reason) =>
        new FormatMatch(format, null).With(Checks.Malformed,
            string.Format(System.Globalization.CultureInfo.InvariantCulture, Messages.FindingMalformed, format, reason));
}

/// <summary>The check names of <see cref="SafetyFinding.Check"/>.</summary>
internal static class Checks
{
    public const string BackingFile = "backing-file";
    public const string DataFile = "data-file";
    public const string UnknownFeatures = "unknown-features";
    public const string UnsupportedVersion = "unsupported-version";
    public const string VmdkCreateType = "vmdk-create-type";
    public const string VmdkDescriptor = "vmdk-descriptor";
    public const string VmdkExtent = "vmdk-extent";
    public const string VmdkParent = "vmdk-parent";
    public const string VhdDifferencing = "vhd-differencing";
    public const string VhdxParent = "vhdx-parent";
    public const string VdiParent = "vdi-parent";
    public const string Qed = "qed";
    public const string MultipleFormats = "multiple-formats";
    public const string Malformed = "malformed";
}
