using System;
using System.Linq;
using System.Text.Json;

namespace ImagePs;

/// <summary>
/// Strict readers for values in the nested sections of imageps.json (<c>Catalog</c>, <c>Store</c>):
/// a wrong type or value is <c>InvalidSettings</c> naming the dotted key, never a silent default.
/// </summary>
internal static class SettingsValues
{
    public static string String(string path, string key, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text) return text;
        throw ImageErrors.InvalidSettings(path, key, Messages.SettingsNonEmptyString);
    }

    public static bool Boolean(string path, string key, JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw ImageErrors.InvalidSettings(path, key, Messages.SettingsBoolean),
    };

    /// <summary>A whole number in [<paramref name="minimum"/>, <paramref name="maximum"/>].</summary>
    public static long Integer(string path, string key, JsonElement value, long minimum, long maximum)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number >= minimum && number <= maximum)
            return number;
        throw ImageErrors.InvalidSettings(path, key, string.Format(Messages.SettingsIntegerRange, minimum, maximum));
    }

    /// <summary>One of the enum's names, exactly as written (case-sensitive, like the keys).</summary>
    public static T Enum<T>(string path, string key, JsonElement value) where T : struct, System.Enum
    {
        var names = System.Enum.GetNames(typeof(T));
        if (value.ValueKind == JsonValueKind.String && value.GetString() is { } text && names.Contains(text, StringComparer.Ordinal))
            return (T)System.Enum.Parse(typeof(T), text);
        throw ImageErrors.InvalidSettings(path, key, string.Format(Messages.SettingsOneOf, string.Join(", ", names)));
    }

    /// <summary>A non-empty environment variable, or null.</summary>
    public static string? FromEnvironment(Func<string, string?> environment, string variable) =>
        environment(variable) is { Length: > 0 } value ? value : null;
}
