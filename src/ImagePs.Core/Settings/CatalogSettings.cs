using System;
using System.Text.Json;
using ImagePs.Errors;

namespace ImagePs.Settings;

/// <summary>Where the catalog lives: the embedded SQLite file, or a PostgreSQL server.</summary>
internal enum CatalogProvider
{
    Sqlite,
    PostgreSql,
}

/// <summary>
/// The <c>Catalog</c> section of imageps.json. The connection string is a secret: it may come from
/// <see cref="ConnectionStringVariable"/> instead of the file, it is not public (PowerShell never
/// shows it) and it never appears in messages.
/// </summary>
internal sealed class CatalogSettings
{
    /// <summary>Read when imageps.json has no <c>Catalog.ConnectionString</c>.</summary>
    public const string ConnectionStringVariable = "IMAGEPS_CATALOG_CONNECTION_STRING";

    private const string Section = "Catalog";

    public static CatalogSettings Default { get; } = new();

    public CatalogProvider Provider { get; private set; } = CatalogProvider.Sqlite;

    /// <summary>Npgsql's connection string (PostgreSql only).</summary>
    internal string? ConnectionString { get; private set; }

    public override string ToString() => Provider.ToString();

    internal static CatalogSettings Parse(string path, JsonProperty section, Func<string, string?> environment)
    {
        if (section.Value.ValueKind != JsonValueKind.Object)
            throw ImageErrors.InvalidSettings(path, Section, Messages.SettingsSectionObject);
        var settings = new CatalogSettings();
        var connectionStringInFile = false;
        foreach (var property in section.Value.EnumerateObject())
        {
            var key = Section + "." + property.Name;
            switch (property.Name)
            {
                case nameof(Provider):
                    settings.Provider = SettingsValues.Enum<CatalogProvider>(path, key, property.Value);
                    break;
                case nameof(ConnectionString):
                    settings.ConnectionString = SettingsValues.String(path, key, property.Value);
                    connectionStringInFile = true;
                    break;
                default:
                    throw ImageErrors.InvalidSettings(path, key, Messages.SettingsUnknownKey);
            }
        }

        if (settings.Provider == CatalogProvider.PostgreSql)
        {
            settings.ConnectionString ??= SettingsValues.FromEnvironment(environment, ConnectionStringVariable);
            if (settings.ConnectionString is null)
                throw ImageErrors.InvalidSettings(path, Section + "." + nameof(ConnectionString),
                    string.Format(Messages.SettingsSecretRequired, nameof(CatalogProvider.PostgreSql), ConnectionStringVariable));
        }
        else if (connectionStringInFile)
        {
            throw ImageErrors.InvalidSettings(path, Section + "." + nameof(ConnectionString),
                string.Format(Messages.SettingsNotForProvider, nameof(CatalogProvider.PostgreSql)));
        }
        return settings;
    }
}
