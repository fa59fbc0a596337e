using System;
using System.IO;
using System.Text.Json;

namespace ImagePs;

/// <summary>
/// Settings from <c>imageps.json</c> in the repository folder. Every key is optional; an unknown key,
/// a wrong type or an out-of-range value is <c>InvalidSettings</c> naming the key, so a typo never
/// silently falls back to a default.
/// </summary>
public sealed class RepositorySettings
{
    /// <summary>Glance's image_size_cap default: 1 TiB.</summary>
    public const long DefaultImageSizeCap = 1L << 40;

    /// <summary>Largest upload accepted, in bytes, inclusive (Glance's image_size_cap).</summary>
    public long ImageSizeCap { get; private set; } = DefaultImageSizeCap;

    /// <summary>Full path to qemu-img; default: found on PATH.</summary>
    public string? QemuImgPath { get; private set; }

    /// <summary>
    /// Bytes an owner's images may hold in the store, 0 for no limit (Glance's user_storage_quota).
    /// Counted over images whose data is stored (Active, Deactivated, PendingDelete).
    /// </summary>
    public long UserStorageQuota { get; private set; }

    /// <summary>Folder of signing certificates (&lt;uuid&gt;.pem); default: the repository's certificates folder.</summary>
    public string? CertificatesPath { get; private set; }

    public static RepositorySettings Default => new();

    public static RepositorySettings Load(string path)
    {
        if (!File.Exists(path)) return new RepositorySettings();
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw ImageErrors.InvalidSettings(path, "(file)", e.Message);
        }
        return Parse(text, path);
    }

    public static RepositorySettings Parse(string json, string path)
    {
        var settings = new RepositorySettings();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw ImageErrors.InvalidSettings(path, "(file)", e.Message);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw ImageErrors.InvalidSettings(path, "(file)", Messages.SettingsNotAnObject);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                switch (property.Name)
                {
                    case nameof(ImageSizeCap):
                        settings.ImageSizeCap = PositiveInteger(path, property);
                        break;
                    case nameof(QemuImgPath):
                        settings.QemuImgPath = String(path, property);
                        break;
                    case nameof(UserStorageQuota):
                        settings.UserStorageQuota = NonNegativeInteger(path, property);
                        break;
                    case nameof(CertificatesPath):
                        settings.CertificatesPath = String(path, property);
                        break;
                    default:
                        throw ImageErrors.InvalidSettings(path, property.Name, Messages.SettingsUnknownKey);
                }
            }
        }
        return settings;
    }

    private static long PositiveInteger(string path, JsonProperty property)
    {
        if (property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt64(out var value) && value > 0)
            return value;
        throw ImageErrors.InvalidSettings(path, property.Name, Messages.SettingsPositiveInteger);
    }

    private static long NonNegativeInteger(string path, JsonProperty property)
    {
        if (property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt64(out var value) && value >= 0)
            return value;
        throw ImageErrors.InvalidSettings(path, property.Name, Messages.SettingsNonNegativeInteger);
    }

    private static string String(string path, JsonProperty property)
    {
        if (property.Value.ValueKind == JsonValueKind.String && property.Value.GetString() is { Length: > 0 } value)
            return value;
        throw ImageErrors.InvalidSettings(path, property.Name, Messages.SettingsNonEmptyString);
    }
}
