using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace ImagePs.Formats;

/// <summary>
/// The native inspector: reads only headers, in-process, within the bounds of <see cref="HeaderReader"/>,
/// and reports the format, the virtual size and every safety finding. Every format's probe runs, so
/// content that is two formats at once (a header hidden inside another) is seen and refused, except
/// the legitimate pairs: an ISO with a partition table (hybrid ISOs boot from USB sticks) and a fixed
/// VHD of a partitioned disk (its data starts with the disk's MBR), which are that ISO or VHD alone.
/// </summary>
internal static class ImageInspector
{
    /// <summary>In order of precedence when several match.</summary>
    private static readonly IFormatInspector[] Inspectors =
    {
        new Qcow2Inspector(), new QedInspector(), new VmdkInspector(), new VhdxInspector(), new VdiInspector(),
        new LuksInspector(), new VhdInspector(), new IsoInspector(), new PartitionTableInspector(),
    };

    /// <summary>Inspects a file, opened for reading and shared with other readers.</summary>
    public static ImageInspection Inspect(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.RandomAccess);
        return Inspect(file);
    }

    /// <summary>
    /// Inspects seekable data (ArgumentException otherwise). Throws only what the stream throws (I/O
    /// errors): every format problem is a finding.
    /// </summary>
    public static ImageInspection Inspect(Stream data)
    {
        HeaderReader reader;
        try
        {
            reader = new HeaderReader(data);
        }
        catch (ImageFormatException e)
        {
            // The data shrank while it was being read.
            var match = FormatMatch.Malformed(ContentFormats.Raw, e.Message);
            return new ImageInspection(ContentFormats.Raw, null, null, data.Length, new[] { ContentFormats.Raw }, match.Findings, 0);
        }

        var matches = new List<FormatMatch>();
        foreach (var inspector in Inspectors)
        {
            try
            {
                var match = inspector.Probe(reader);
                if (match is not null) matches.Add(match);
            }
            catch (ImageFormatException e)
            {
                matches.Add(FormatMatch.Malformed(inspector.Format, e.Message));
            }
        }
        return Decide(matches, reader);
    }

    private static ImageInspection Decide(List<FormatMatch> matches, HeaderReader reader)
    {
        if (matches.Count == 0) matches.Add(RawInspector.Describe(reader));
        var primary = matches[0];
        var findings = matches.SelectMany(m => m.Findings).ToList();
        if (matches.Count > 1)
        {
            var allowed = AllowedPair(matches);
            if (allowed is not null)
            {
                // The partition table is the disk inside the ISO or VHD: its own findings are not the
                // image's (Glance, too, runs only the ISO's checks on an ISO with a partition table).
                primary = allowed;
                findings = allowed.Findings.ToList();
            }
            else
            {
                findings.Insert(0, new SafetyFinding(Checks.MultipleFormats, string.Format(System.Globalization.CultureInfo.InvariantCulture,
                    Messages.FindingMultipleFormats, string.Join(", ", matches.Select(m => m.Format)))));
            }
        }
        return new ImageInspection(primary.Format, primary.Variant, primary.VirtualSize, reader.Length,
            matches.Select(m => m.Format).ToArray(), findings, reader.BytesReadFromStream);
    }

    /// <summary>An ISO or a fixed VHD that also carries a partition table is that ISO or VHD.</summary>
    private static FormatMatch? AllowedPair(List<FormatMatch> matches)
    {
        if (matches.Count != 2 || matches[1].Format != ContentFormats.Gpt) return null;
        var other = matches[0];
        if (other.Format == ContentFormats.Iso) return other;
        if (other.Format == ContentFormats.Vhd && other.Variant == "fixed") return other;
        return null;
    }
}
