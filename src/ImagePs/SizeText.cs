using System.Globalization;

namespace ImagePs.Commands;

/// <summary>
/// Sizes for people (used by the views); the objects keep their sizes as numbers. Three significant
/// digits in binary units, so a size never takes more than 8 characters (<c>1000 MiB</c>, <c>9.99 GiB</c>).
/// </summary>
public static class SizeText
{
    private static readonly string[] Units = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };

    public static string Of(long? bytes)
    {
        if (bytes is null) return "";
        if (bytes.Value < 1000) return string.Format(CultureInfo.CurrentCulture, "{0} B", bytes.Value);
        double value = bytes.Value;
        var unit = 0;
        while (value >= 999.5 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        var format = value < 9.995 ? "{0:0.##} {1}" : value < 99.95 ? "{0:0.#} {1}" : "{0:0} {1}";
        return string.Format(CultureInfo.CurrentCulture, format, value, Units[unit]);
    }
}
