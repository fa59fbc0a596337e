using System;
using System.IO;

namespace ImagePs;

/// <summary>
/// The repository folder and what it holds: <c>catalog.db</c> (SQLite), <c>images/</c> (the
/// filesystem store) and the optional <c>imageps.json</c> settings. Chosen by
/// <c>$env:IMAGEPS_HOME</c>, else the per-user data folder.
/// </summary>
public sealed class RepositoryFolder
{
    public const string HomeVariable = "IMAGEPS_HOME";

    public RepositoryFolder(string root)
    {
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }
    public string CatalogPath => Path.Combine(Root, "catalog.db");
    public string StorePath => Path.Combine(Root, "images");
    public string SettingsPath => Path.Combine(Root, "imageps.json");
    public string UploadsPath => Path.Combine(Root, "uploads");
    public string CertificatesPath => Path.Combine(Root, "certificates");

    /// <summary>
    /// <c>IMAGEPS_HOME</c> when set (read on every call, so a test can point it at its own folder),
    /// else ~/.local/share/ImagePs on Linux, %LOCALAPPDATA%\ImagePs on Windows,
    /// ~/Library/Application Support/ImagePs on macOS.
    /// </summary>
    public static RepositoryFolder FromEnvironment()
    {
        var home = Environment.GetEnvironmentVariable(HomeVariable);
        if (!string.IsNullOrWhiteSpace(home)) return new RepositoryFolder(Environment.ExpandEnvironmentVariables(home!));
        var data = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        if (string.IsNullOrEmpty(data))
        {
            var profile = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            data = Path.Combine(profile, ".local", "share");
        }
        return new RepositoryFolder(Path.Combine(data, "ImagePs"));
    }

    /// <summary>Creates the folder and its store on first use.</summary>
    public void EnsureCreated()
    {
        try
        {
            Directory.CreateDirectory(Root);
            Directory.CreateDirectory(StorePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw ImageErrors.RepositoryUnavailable(Root, e);
        }
    }

    public override string ToString() => Root;
}
