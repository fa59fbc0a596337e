using System.Globalization;

namespace ImagePs.Commands;

/// <summary>Sizes for people (used by the table view); the objects keep their sizes as numbers.</summary>
public static class SizeText
{
    private static readonly string[] Units = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };

    public static string Of(long? bytes)
    {
        if (bytes is null) return "";
        double value = bytes.Value;
        var unit = 0;
        while (value >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0
            ? string.Format(CultureInfo.CurrentCulture, "{0} B", bytes.Value)
            : string.Format(CultureInfo.CurrentCulture, "{0:0.#} {1}", value, Units[unit]);
    }
}
