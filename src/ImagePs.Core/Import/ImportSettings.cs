using System;
using System.Collections.Generic;
using System.Text.Json;
using ImagePs.Errors;
using ImagePs.Settings;

namespace ImagePs.Import;

/// <summary>
/// The <c>Import</c> section of imageps.json: which URLs Import-Image may fetch (Glance's
/// <c>[import_filtering_opts]</c>) and how hard it tries to finish a download. Strict like the rest of
/// the settings: an unknown key or a wrong value is <c>InvalidSettings</c> naming <c>Import.&lt;key&gt;</c>.
/// </summary>
internal sealed class ImportSettings
{
    private const string Section = "Import";

    private static readonly IReadOnlyList<string> NoStrings = Array.Empty<string>();
    private static readonly IReadOnlyList<int> NoPorts = Array.Empty<int>();

    /// <summary>URL schemes allowed; empty (the default) means http and https.</summary>
    public IReadOnlyList<string> AllowedSchemes { get; private set; } = NoStrings;

    public IReadOnlyList<string> DisallowedSchemes { get; private set; } = NoStrings;

    /// <summary>Host names (as written in the URL, case-insensitive) allowed; empty: any host not disallowed.</summary>
    public IReadOnlyList<string> AllowedHosts { get; private set; } = NoStrings;

    public IReadOnlyList<string> DisallowedHosts { get; private set; } = NoStrings;

    /// <summary>Ports allowed; empty: any port not disallowed (unlike Glance's 80/443: imports run on the user's behalf).</summary>
    public IReadOnlyList<int> AllowedPorts { get; private set; } = NoPorts;

    public IReadOnlyList<int> DisallowedPorts { get; private set; } = NoPorts;

    /// <summary>Times a dropped or stalled download is continued with a Range request.</summary>
    public int MaxResumes { get; private set; } = 5;

    /// <summary>Seconds without a byte (or without an answer) after which the connection counts as lost.</summary>
    public int StallTimeoutSeconds { get; private set; } = 60;

    public static ImportSettings Default { get; } = new();

    internal static ImportSettings Parse(string path, JsonProperty section)
    {
        if (section.Value.ValueKind != JsonValueKind.Object)
            throw ImageErrors.InvalidSettings(path, Section, Messages.SettingsSectionObject);
        var settings = new ImportSettings();
        foreach (var property in section.Value.EnumerateObject())
        {
            var key = Section + "." + property.Name;
            var value = property.Value;
            switch (property.Name)
            {
                case nameof(AllowedSchemes):
                    settings.AllowedSchemes = Names(path, key, value);
                    break;
                case nameof(DisallowedSchemes):
                    settings.DisallowedSchemes = Names(path, key, value);
                    break;
                case nameof(AllowedHosts):
                    settings.AllowedHosts = Names(path, key, value);
                    break;
                case nameof(DisallowedHosts):
                    settings.DisallowedHosts = Names(path, key, value);
                    break;
                case nameof(AllowedPorts):
                    settings.AllowedPorts = Ports(path, key, value);
                    break;
                case nameof(DisallowedPorts):
                    settings.DisallowedPorts = Ports(path, key, value);
                    break;
                case nameof(MaxResumes):
                    settings.MaxResumes = (int)SettingsValues.Integer(path, key, value, 0, 1000);
                    break;
                case nameof(StallTimeoutSeconds):
                    settings.StallTimeoutSeconds = (int)SettingsValues.Integer(path, key, value, 1, 86400);
                    break;
                default:
                    throw ImageErrors.InvalidSettings(path, key, Messages.SettingsUnknownKey);
            }
        }
        return settings;
    }

    private static IReadOnlyList<string> Names(string path, string key, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array) throw ImageErrors.InvalidSettings(path, key, Messages.SettingsImportNames);
        var names = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || item.GetString() is not { } name || name.Trim().Length == 0 || name.Trim() != name)
                throw ImageErrors.InvalidSettings(path, key, Messages.SettingsImportNames);
            names.Add(name);
        }
        return names;
    }

    private static IReadOnlyList<int> Ports(string path, string key, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array) throw ImageErrors.InvalidSettings(path, key, Messages.SettingsImportPorts);
        var ports = new List<int>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out var port) || port < 1 || port > 65535)
                throw ImageErrors.InvalidSettings(path, key, Messages.SettingsImportPorts);
            ports.Add(port);
        }
        return ports;
    }
}
