using System.Collections.Generic;
using System.Linq;

namespace ImagePs.Formats;

/// <summary>What the native inspector found in image data.</summary>
internal sealed class ImageInspection
{
    internal ImageInspection(string format, string? variant, long? virtualSize, long length, IReadOnlyList<string> matchedFormats,
        IReadOnlyList<SafetyFinding> findings, long bytesRead)
    {
        Format = format;
        Variant = variant;
        VirtualSize = virtualSize;
        Length = length;
        MatchedFormats = matchedFormats;
        Findings = findings;
        BytesRead = bytesRead;
    }

    /// <summary>The detected format (see <see cref="ContentFormats"/>); <c>raw</c> when nothing else matched.</summary>
    public string Format { get; }

    /// <summary>The sub-format when it matters: vhd fixed/dynamic/differencing, vmdk createType, gpt/mbr, qcow2 v2/v3.</summary>
    public string? Variant { get; }

    /// <summary>The virtual size as qemu-img reports it for this format; null when the header cannot tell.</summary>
    public long? VirtualSize { get; }

    /// <summary>Bytes of data inspected (the file's size).</summary>
    public long Length { get; }

    /// <summary>Every format whose header was found (more than one is itself a finding, except an ISO with a partition table).</summary>
    public IReadOnlyList<string> MatchedFormats { get; }

    /// <summary>Why the data must not be used; empty when it is safe.</summary>
    public IReadOnlyList<SafetyFinding> Findings { get; }

    public bool IsSafe => Findings.Count == 0;

    /// <summary>Bytes read from the data to reach this answer.</summary>
    public long BytesRead { get; }

    /// <summary>The findings as one line for an error message.</summary>
    public string DescribeFindings() => string.Join("; ", Findings.Select(f => f.Message));

    public override string ToString() => IsSafe ? $"{Format} ({VirtualSize} bytes)" : $"{Format}: {DescribeFindings()}";
}
