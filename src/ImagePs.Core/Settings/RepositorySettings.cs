using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using ImagePs.Errors;
using ImagePs.Formats;
using ImagePs.Import;

namespace ImagePs.Settings;

/// <summary>
/// Settings from <c>imageps.json</c> in the repository folder. Every key is optional; an unknown key,
/// a wrong type or an out-of-range value is <c>InvalidSettings</c> naming the key, so a typo never
/// silently falls back to a default.
/// </summary>
internal sealed class RepositorySettings
{
    /// <summary>Glance's image_size_cap default: 1 TiB.</summary>
    public const long DefaultImageSizeCap = 1L << 40;

    /// <summary>Largest upload accepted, in bytes, inclusive (Glance's image_size_cap).</summary>
    public long ImageSizeCap { get; private set; } = DefaultImageSizeCap;

    /// <summary>Full path to qemu-img; default: found on PATH.</summary>
    public string? QemuImgPath { get; private set; }

    /// <summary>
    /// Whether the declared disk format must match the content (Glance's require_image_format_match);
    /// the safety checks run either way.
    /// </summary>
    public bool RequireDiskFormatMatch { get; private set; } = true;

    /// <summary>
    /// <c>native</c>, <c>qemu-img</c> or <c>both</c>; null (the default) means both when qemu-img can be
    /// found (or QemuImgPath is set), native otherwise.
    /// </summary>
    public VirtualSizeProbeMode? VirtualSizeProbe { get; private set; }

    /// <summary>
    /// Bytes an owner's images may hold in the store, 0 for no limit (Glance's user_storage_quota).
    /// Counted over images whose data is stored (Active, Deactivated, PendingDelete).
    /// </summary>
    public long UserStorageQuota { get; private set; }

    /// <summary>Folder of signing certificates (&lt;uuid&gt;.pem); default: the repository's certificates folder.</summary>
    public string? CertificatesPath { get; private set; }

    /// <summary>Who may do what: user name → project and roles. Empty: a personal repository.</summary>
    public IReadOnlyDictionary<string, RepositoryUser> Users { get; private set; } =
        new Dictionary<string, RepositoryUser>(StringComparer.Ordinal);

    /// <summary>True when imageps.json has a <c>Users</c> map (even an empty one): a shared repository.</summary>
    public bool UsersConfigured { get; private set; }

    /// <summary>Roles of a user not in <see cref="Users"/>; null: the default for the kind of repository.</summary>
    public IReadOnlyList<string>? DefaultRoles { get; private set; }

    /// <summary>The policy rules file (oslo.policy JSON or YAML), relative to the repository folder.</summary>
    public string? PolicyFile { get; private set; }

    /// <summary>Glance's property protections file (INI, roles format), relative to the repository folder.</summary>
    public string? PropertyProtectionFile { get; private set; }

    /// <summary>Members per image (Glance's image_member_quota); negative: unlimited.</summary>
    public int ImageMemberQuota { get; private set; } = 128;

    /// <summary>Extra properties per image (Glance's image_property_quota); negative: unlimited.</summary>
    public int ImagePropertyQuota { get; private set; } = 128;

    /// <summary>Tags per image (Glance's image_tag_quota); negative: unlimited.</summary>
    public int ImageTagQuota { get; private set; } = 128;

    /// <summary>Locations per image (Glance's image_location_quota); negative: unlimited.</summary>
    public int ImageLocationQuota { get; private set; } = 10;

    /// <summary>Images per owner (project), deleted ones not counted; 0: unlimited.</summary>
    public int ImageCountQuota { get; private set; }

    /// <summary>Where the catalog lives (the <c>Catalog</c> section); default: SQLite in the repository folder.</summary>
    public CatalogSettings Catalog { get; private set; } = CatalogSettings.Default;

    /// <summary>Where image data lives (the <c>Store</c> section); default: the repository's images folder.</summary>
    public StoreSettings Store { get; private set; } = StoreSettings.Default;

    /// <summary>EventLogMaxBytes's default: 64 MiB.</summary>
    public const long DefaultEventLogMaxBytes = 64L << 20;

    /// <summary>EventLogMaxFiles's default.</summary>
    public const int DefaultEventLogMaxFiles = 4;

    /// <summary>
    /// Size in bytes at which the events log (events.jsonl) is rotated, before an event would make it
    /// larger; 0: never by size. Not used with a PostgreSQL catalog (events in its table).
    /// </summary>
    public long EventLogMaxBytes { get; private set; } = DefaultEventLogMaxBytes;

    /// <summary>
    /// Days after which events are dropped: events.jsonl is rotated once its first event is older, and
    /// rotated files last written before are deleted; with a PostgreSQL catalog, older rows of its
    /// image_events table are deleted. 0 (the default): no age limit.
    /// </summary>
    public int EventLogMaxAgeDays { get; private set; }

    /// <summary>Rotated events-log files kept (events.1.jsonl, ...; the newest); 0: all.</summary>
    public int EventLogMaxFiles { get; private set; } = DefaultEventLogMaxFiles;

    /// <summary>
    /// Glance's delayed_delete with scrub_time: seconds an image with data stays PendingDelete after
    /// Remove-Image (restorable with Restore-Image) before it is scrubbed; 0 (the default): deleted at once.
    /// </summary>
    public long DelayedDeleteSeconds { get; private set; }

    /// <summary>What Import-Image may fetch and how it resumes (the <c>Import</c> section).</summary>
    public ImportSettings Import { get; private set; } = ImportSettings.Default;

    public static RepositorySettings Default => new();

    public static RepositorySettings Load(string path)
    {
        // A folder at the path is refused, not taken for "no settings" (ConfigurationFile says why).
        if (!File.Exists(path) && !Directory.Exists(path)) return new RepositorySettings();
        var text = Settings.ConfigurationFile.ReadText(path, reason => ImageErrors.InvalidSettings(path, "(file)", reason));
        return Parse(text, path);
    }

    public static RepositorySettings Parse(string json, string path) => Parse(json, path, Environment.GetEnvironmentVariable);

    /// <param name="environment">Where secrets missing from the file are looked up (environment variables).</param>
    internal static RepositorySettings Parse(string json, string path, Func<string, string?> environment)
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
                        settings.ImageSizeCap = SettingsValues.PositiveInteger(path, property.Name, property.Value);
                        break;
                    case nameof(QemuImgPath):
                        settings.QemuImgPath = SettingsValues.String(path, property.Name, property.Value);
                        break;
                    case nameof(RequireDiskFormatMatch):
                        settings.RequireDiskFormatMatch = SettingsValues.Boolean(path, property.Name, property.Value);
                        break;
                    case nameof(VirtualSizeProbe):
                        settings.VirtualSizeProbe = SettingsValues.ProbeMode(path, property.Name, property.Value);
                        break;
                    case nameof(UserStorageQuota):
                        settings.UserStorageQuota = SettingsValues.NonNegativeInteger(path, property.Name, property.Value);
                        break;
                    case nameof(CertificatesPath):
                        settings.CertificatesPath = SettingsValues.String(path, property.Name, property.Value);
                        break;
                    case nameof(Users):
                        settings.Users = ReadUsers(path, property);
                        settings.UsersConfigured = true;
                        break;
                    case nameof(DefaultRoles):
                        settings.DefaultRoles = Roles(path, property.Name, property.Value);
                        break;
                    case nameof(PolicyFile):
                        settings.PolicyFile = SettingsValues.String(path, property.Name, property.Value);
                        break;
                    case nameof(PropertyProtectionFile):
                        settings.PropertyProtectionFile = SettingsValues.String(path, property.Name, property.Value);
                        break;
                    case nameof(ImageMemberQuota):
                        settings.ImageMemberQuota = SettingsValues.Quota(path, property.Name, property.Value);
                        break;
                    case nameof(ImagePropertyQuota):
                        settings.ImagePropertyQuota = SettingsValues.Quota(path, property.Name, property.Value);
                        break;
                    case nameof(ImageTagQuota):
                        settings.ImageTagQuota = SettingsValues.Quota(path, property.Name, property.Value);
                        break;
                    case nameof(ImageLocationQuota):
                        settings.ImageLocationQuota = SettingsValues.Quota(path, property.Name, property.Value);
                        break;
                    case nameof(ImageCountQuota):
                        settings.ImageCountQuota = SettingsValues.NonNegativeInt32(path, property.Name, property.Value);
                        break;
                    case nameof(EventLogMaxBytes):
                        settings.EventLogMaxBytes = SettingsValues.Integer(path, property.Name, property.Value, 0, long.MaxValue);
                        break;
                    case nameof(EventLogMaxAgeDays):
                        settings.EventLogMaxAgeDays = (int)SettingsValues.Integer(path, property.Name, property.Value, 0, 36500);
                        break;
                    case nameof(EventLogMaxFiles):
                        settings.EventLogMaxFiles = (int)SettingsValues.Integer(path, property.Name, property.Value, 0, 100000);
                        break;
                    case nameof(DelayedDeleteSeconds):
                        settings.DelayedDeleteSeconds = SettingsValues.Integer(path, property.Name, property.Value, 0, 3650L * 86400);
                        break;
                    case nameof(Catalog):
                        settings.Catalog = CatalogSettings.Parse(path, property, environment);
                        break;
                    case nameof(Store):
                        settings.Store = StoreSettings.Parse(path, property, environment);
                        break;
                    case nameof(Import):
                        settings.Import = ImportSettings.Parse(path, property);
                        break;
                    default:
                        throw ImageErrors.InvalidSettings(path, property.Name, Messages.SettingsUnknownKey);
                }
            }
        }
        if (settings.Store.Provider == StoreProvider.S3 && settings.VirtualSizeProbe is VirtualSizeProbeMode.QemuImg or VirtualSizeProbeMode.Both)
            throw ImageErrors.InvalidSettings(path, nameof(VirtualSizeProbe), Messages.SettingsQemuImgNeedsLocalStore);
        return settings;
    }

    private static IReadOnlyList<string> Roles(string path, string key, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array) throw ImageErrors.InvalidSettings(path, key, Messages.SettingsRoleList);
        var roles = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || item.GetString() is not { } role || role.Trim().Length == 0 || role.Contains(","))
                throw ImageErrors.InvalidSettings(path, key, Messages.SettingsRoleList);
            roles.Add(role.Trim());
        }
        return roles;
    }

    private static IReadOnlyDictionary<string, RepositoryUser> ReadUsers(string path, JsonProperty property)
    {
        if (property.Value.ValueKind != JsonValueKind.Object) throw ImageErrors.InvalidSettings(path, property.Name, Messages.SettingsUsersObject);
        var users = new Dictionary<string, RepositoryUser>(StringComparer.Ordinal);
        foreach (var user in property.Value.EnumerateObject())
        {
            var where = property.Name + "." + user.Name;
            if (user.Name.Trim().Length == 0 || user.Value.ValueKind != JsonValueKind.Object)
                throw ImageErrors.InvalidSettings(path, where, Messages.SettingsUsersObject);
            string? project = null;
            IReadOnlyList<string>? roles = null;
            foreach (var field in user.Value.EnumerateObject())
            {
                switch (field.Name)
                {
                    case nameof(RepositoryUser.Project):
                        project = field.Value.ValueKind == JsonValueKind.String && field.Value.GetString() is { } p && p.Trim().Length > 0
                            ? p
                            : throw ImageErrors.InvalidSettings(path, where + "." + field.Name, Messages.SettingsNonEmptyString);
                        break;
                    case nameof(RepositoryUser.Roles):
                        roles = Roles(path, where + "." + field.Name, field.Value);
                        break;
                    default:
                        throw ImageErrors.InvalidSettings(path, where + "." + field.Name, Messages.SettingsUnknownKey);
                }
            }
            users[user.Name] = new RepositoryUser(user.Name, project, roles);
        }
        return users;
    }
}
