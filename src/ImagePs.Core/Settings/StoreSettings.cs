using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.RegularExpressions;
using ImagePs.Errors;

namespace ImagePs.Settings;

/// <summary>Where image data lives: the repository's images folder, or a bucket on an S3 API.</summary>
internal enum StoreProvider
{
    FileSystem,
    S3,
}

/// <summary>
/// The <c>Store</c> section of imageps.json. The keys are secrets: they may come from
/// <see cref="AccessKeyVariable"/> and <see cref="SecretKeyVariable"/> instead of the file, they are
/// not public (PowerShell never shows them) and they never appear in messages.
/// </summary>
internal sealed class StoreSettings
{
    public const string AccessKeyVariable = "IMAGEPS_S3_ACCESS_KEY";
    public const string SecretKeyVariable = "IMAGEPS_S3_SECRET_KEY";

    /// <summary>S3's smallest part (all but the last part of a multipart upload).</summary>
    public const long MinimumPartSize = 5L << 20;

    /// <summary>1 GiB (S3 allows 5 GiB, but a part is one buffer in memory); 10,000 of them hold 10 TiB.</summary>
    public const long MaximumPartSize = 1L << 30;
    public const long DefaultPartSize = 8L << 20;
    public const int DefaultConcurrentParts = 3;

    private const string Section = "Store";

    /// <summary>S3's rules for bucket names (3 to 63 lowercase letters, digits, dots and hyphens).</summary>
    private static readonly Regex BucketName = new("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", RegexOptions.CultureInvariant);

    public static StoreSettings Default { get; } = new();

    public StoreProvider Provider { get; private set; } = StoreProvider.FileSystem;

    /// <summary>The S3 endpoint, e.g. http://127.0.0.1:7480 (Ceph RGW) or https://s3.eu-west-1.amazonaws.com.</summary>
    public Uri? ServiceUrl { get; private set; }

    public string? Bucket { get; private set; }

    /// <summary>The signing region (SigV4); RGW and most S3 servers accept the default.</summary>
    public string Region { get; private set; } = "us-east-1";

    /// <summary>Path-style addressing (http://host/bucket/key): what RGW and MinIO expect by default.</summary>
    public bool ForcePathStyle { get; private set; } = true;

    /// <summary>Bytes per part of a multipart upload; larger parts are used when an image would need over 10,000.</summary>
    public long PartSize { get; private set; } = DefaultPartSize;

    /// <summary>Parts uploaded at the same time; memory is about (this + 1) × PartSize per upload.</summary>
    public int ConcurrentParts { get; private set; } = DefaultConcurrentParts;

    internal string? AccessKey { get; private set; }
    internal string? SecretKey { get; private set; }

    public override string ToString() => Provider == StoreProvider.S3 ? $"S3 {ServiceUrl} bucket {Bucket}" : Provider.ToString();

    internal static StoreSettings Parse(string path, JsonProperty section, Func<string, string?> environment)
    {
        if (section.Value.ValueKind != JsonValueKind.Object)
            throw ImageErrors.InvalidSettings(path, Section, Messages.SettingsSectionObject);
        var settings = new StoreSettings();
        var s3Keys = new List<string>();
        foreach (var property in section.Value.EnumerateObject())
        {
            var key = Section + "." + property.Name;
            var value = property.Value;
            switch (property.Name)
            {
                case nameof(Provider):
                    settings.Provider = SettingsValues.Enum<StoreProvider>(path, key, value);
                    continue;
                case nameof(ServiceUrl):
                    settings.ServiceUrl = Url(path, key, value);
                    break;
                case nameof(Bucket):
                    settings.Bucket = SettingsValues.String(path, key, value);
                    if (!BucketName.IsMatch(settings.Bucket) || settings.Bucket.Contains(".."))
                        throw ImageErrors.InvalidSettings(path, key, Messages.SettingsBucketName);
                    break;
                case nameof(Region):
                    settings.Region = SettingsValues.String(path, key, value);
                    break;
                case nameof(ForcePathStyle):
                    settings.ForcePathStyle = SettingsValues.Boolean(path, key, value);
                    break;
                case nameof(PartSize):
                    settings.PartSize = SettingsValues.Integer(path, key, value, MinimumPartSize, MaximumPartSize);
                    break;
                case nameof(ConcurrentParts):
                    settings.ConcurrentParts = (int)SettingsValues.Integer(path, key, value, 1, 16);
                    break;
                case nameof(AccessKey):
                    settings.AccessKey = SettingsValues.String(path, key, value);
                    break;
                case nameof(SecretKey):
                    settings.SecretKey = SettingsValues.String(path, key, value);
                    break;
                default:
                    throw ImageErrors.InvalidSettings(path, key, Messages.SettingsUnknownKey);
            }
            s3Keys.Add(key);
        }

        if (settings.Provider != StoreProvider.S3)
        {
            if (s3Keys.Count > 0)
                throw ImageErrors.InvalidSettings(path, s3Keys[0], string.Format(Messages.SettingsNotForProvider, nameof(StoreProvider.S3)));
            return settings;
        }

        if (settings.ServiceUrl is null)
            throw ImageErrors.InvalidSettings(path, Section + "." + nameof(ServiceUrl), string.Format(Messages.SettingsRequired, nameof(StoreProvider.S3)));
        if (settings.Bucket is null)
            throw ImageErrors.InvalidSettings(path, Section + "." + nameof(Bucket), string.Format(Messages.SettingsRequired, nameof(StoreProvider.S3)));
        settings.AccessKey ??= SettingsValues.FromEnvironment(environment, AccessKeyVariable);
        if (settings.AccessKey is null)
            throw ImageErrors.InvalidSettings(path, Section + "." + nameof(AccessKey),
                string.Format(Messages.SettingsSecretRequired, nameof(StoreProvider.S3), AccessKeyVariable));
        settings.SecretKey ??= SettingsValues.FromEnvironment(environment, SecretKeyVariable);
        if (settings.SecretKey is null)
            throw ImageErrors.InvalidSettings(path, Section + "." + nameof(SecretKey),
                string.Format(Messages.SettingsSecretRequired, nameof(StoreProvider.S3), SecretKeyVariable));
        return settings;
    }

    private static Uri Url(string path, string key, JsonElement value)
    {
        var text = SettingsValues.String(path, key, value);
        if (Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
            && string.IsNullOrEmpty(url.UserInfo) && url.AbsolutePath == "/" && string.IsNullOrEmpty(url.Query))
            return url;
        throw ImageErrors.InvalidSettings(path, key, Messages.SettingsServiceUrl);
    }
}
