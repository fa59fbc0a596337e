using System;

namespace ImagePs.Formats;

/// <summary>
/// The inspector's own error: a header that claims a format but cannot be read safely (truncated,
/// inconsistent, over the read budget). It never leaves <see cref="ImageInspector"/>: there it becomes
/// a <c>malformed</c> safety finding, so a caller only ever sees findings.
/// </summary>
internal sealed class ImageFormatException : Exception
{
    public ImageFormatException(string message)
        : base(message)
    {
    }

    /// <summary>A header field with a value the format does not allow.</summary>
    internal static ImageFormatException Field(string field, object value) =>
        new(string.Format(System.Globalization.CultureInfo.InvariantCulture, Messages.MalformedField, field, value));

    internal static ImageFormatException Checksum(string structure) =>
        new(string.Format(System.Globalization.CultureInfo.InvariantCulture, Messages.MalformedChecksum, structure));

    internal static ImageFormatException Missing(string structure) =>
        new(string.Format(System.Globalization.CultureInfo.InvariantCulture, Messages.MalformedMissing, structure));
}
