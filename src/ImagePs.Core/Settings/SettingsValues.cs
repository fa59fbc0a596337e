using System;
using System.Linq;
using System.Text.Json;
using ImagePs.Errors;
using ImagePs.Formats;

namespace ImagePs.Settings;

/// <summary>
/// Strict readers for the values of imageps.json, top-level keys and those of its sections alike: a
/// wrong type or value is <c>InvalidSettings</c> naming the (dotted) key, never a silent default.
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

    public static long PositiveInteger(string path, string key, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number > 0) return number;
        throw ImageErrors.InvalidSettings(path, key, Messages.SettingsPositiveInteger);
    }

    public static long NonNegativeInteger(string path, string key, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number >= 0) return number;
        throw ImageErrors.InvalidSettings(path, key, Messages.SettingsNonNegativeInteger);
    }

    public static int NonNegativeInt32(string path, string key, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= 0) return number;
        throw ImageErrors.InvalidSettings(path, key, Messages.SettingsNonNegativeInteger);
    }

    /// <summary>A Glance-style quota: a whole number, negative for unlimited (read as -1).</summary>
    public static int Quota(string path, string key, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)) return number < 0 ? -1 : number;
        throw ImageErrors.InvalidSettings(path, key, Messages.SettingsQuota);
    }

    /// <summary>Where virtual sizes come from: "native", "qemu-img" or "both".</summary>
    public static VirtualSizeProbeMode ProbeMode(string path, string key, JsonElement value) =>
        (value.ValueKind == JsonValueKind.String ? value.GetString() : null) switch
        {
            "native" => VirtualSizeProbeMode.Native,
            "qemu-img" => VirtualSizeProbeMode.QemuImg,
            "both" => VirtualSizeProbeMode.Both,
            _ => throw ImageErrors.InvalidSettings(path, key, string.Format(Messages.SettingsOneOf, "native, qemu-img, both")),
        };

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
