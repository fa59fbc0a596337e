using System;
using System.Collections.Generic;
using ImagePs.Errors;

namespace ImagePs.Domain;

/// <summary>
/// Glance's rules for the values an image may hold, used by the factory and by every change.
/// Also refuses control, bidi and invisible characters in names, tags and keys (see
/// <see cref="MisleadingCharacters"/>): they end up on admins' consoles.
/// </summary>
internal static class ImageValidation
{
    public const int MaxNameLength = 255;
    public const int MaxTagLength = 255;
    public const int MaxPropertyKeyLength = 255;
    public const int MaxPropertyValueLength = 65535;

    /// <summary>Names Glance reserves (403 "Attribute '...' is reserved").</summary>
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "owner", "locations", "deleted", "deleted_at", "direct_url", "self", "file", "schema",
    };

    /// <summary>Names Glance keeps read-only (403 "Attribute '...' is read-only").</summary>
    private static readonly HashSet<string> ReadOnly = new(StringComparer.Ordinal)
    {
        "created_at", "updated_at", "status", "checksum", "os_hash_algo", "os_hash_value", "size", "virtual_size",
    };

    /// <summary>Base attributes: set through their own parameters, never as extra properties.</summary>
    private static readonly HashSet<string> Base = new(StringComparer.Ordinal)
    {
        "id", "name", "visibility", "protected", "disk_format", "container_format", "min_disk", "min_ram", "tags", "os_hidden",
    };

    public static IReadOnlyCollection<string> ReservedProperties => Reserved;
    public static IReadOnlyCollection<string> ReadOnlyProperties => ReadOnly;
    public static IReadOnlyCollection<string> BaseAttributes => Base;

    public static void CheckName(string? name)
    {
        if (name is null) return;
        if (name.Length > MaxNameLength)
            throw ImageErrors.InvalidName(name, string.Format(Messages.ReasonTooLong, MaxNameLength));
        if (MisleadingCharacters.Find(name, freeText: false) is string reason)
            throw ImageErrors.InvalidName(name, reason);
    }

    public static string? CanonicalDiskFormat(string? value)
    {
        if (value is null) return null;
        return ImageFormats.CanonicalDiskFormat(value) ?? throw ImageErrors.InvalidDiskFormat(value);
    }

    public static string? CanonicalContainerFormat(string? value)
    {
        if (value is null) return null;
        return ImageFormats.CanonicalContainerFormat(value) ?? throw ImageErrors.InvalidContainerFormat(value);
    }

    public static void CheckMinDisk(int value)
    {
        if (value < 0) throw ImageErrors.InvalidMinDisk(value);
    }

    public static void CheckMinRam(int value)
    {
        if (value < 0) throw ImageErrors.InvalidMinRam(value);
    }

    public static void CheckTag(string tag)
    {
        if (tag is null || tag.Trim().Length == 0) throw ImageErrors.InvalidTag(tag ?? "", Messages.ReasonEmpty);
        if (tag.Length > MaxTagLength)
            throw ImageErrors.InvalidTag(tag, string.Format(Messages.ReasonTooLong, MaxTagLength));
        if (MisleadingCharacters.Find(tag, freeText: false) is string reason)
            throw ImageErrors.InvalidTag(tag, reason);
    }

    /// <summary>Checks an extra property's name (reserved, read-only, base attribute) and value.</summary>
    public static void CheckProperty(string key, string? value)
    {
        if (key is null || key.Trim().Length == 0) throw ImageErrors.InvalidProperty(key ?? "", Messages.ReasonEmpty);
        if (Reserved.Contains(key)) throw ImageErrors.ReservedProperty(key);
        if (ReadOnly.Contains(key) || SystemProperties.IsSystem(key)) throw ImageErrors.ReadOnlyProperty(key);
        if (Base.Contains(key)) throw ImageErrors.InvalidProperty(key, Messages.ReasonBaseAttribute);
        if (key.Length > MaxPropertyKeyLength)
            throw ImageErrors.InvalidProperty(key, string.Format(Messages.ReasonTooLong, MaxPropertyKeyLength));
        if (MisleadingCharacters.Find(key, freeText: false) is string keyReason)
            throw ImageErrors.InvalidProperty(key, keyReason);
        if (value is null) throw ImageErrors.InvalidProperty(key, Messages.ReasonNullValue);
        if (value.Length > MaxPropertyValueLength)
            throw ImageErrors.InvalidProperty(key, string.Format(Messages.ReasonValueTooLong, MaxPropertyValueLength));
        if (MisleadingCharacters.Find(value, freeText: true) is string valueReason)
            throw ImageErrors.InvalidProperty(key, string.Format(Messages.ReasonInValue, valueReason));
    }

    /// <summary>
    /// Checks that an extra property may be removed: Glance refuses read-only and reserved names, and
    /// base attributes ("may not be removed"), with the same ids as when setting them.
    /// </summary>
    public static void CheckRemovableProperty(string key)
    {
        if (key is null || key.Trim().Length == 0) throw ImageErrors.InvalidProperty(key ?? "", Messages.ReasonEmpty);
        if (Reserved.Contains(key)) throw ImageErrors.ReservedProperty(key);
        if (ReadOnly.Contains(key) || SystemProperties.IsSystem(key)) throw ImageErrors.ReadOnlyProperty(key);
        if (Base.Contains(key)) throw ImageErrors.BaseAttributeNotRemovable(key);
    }
}
