namespace ImagePs.Formats;

/// <summary>One format's header reader (one file per format in this folder).</summary>
internal interface IFormatInspector
{
    /// <summary>The content format this inspector recognises (see <see cref="ContentFormats"/>).</summary>
    string Format { get; }

    /// <summary>
    /// Null when the data is not this format. A match carries the virtual size and any safety findings.
    /// Throws <see cref="ImageFormatException"/> (and nothing else) when the format's magic number is
    /// present but its header cannot be read safely.
    /// </summary>
    FormatMatch? Probe(HeaderReader reader);
}
