using System;
using System.IO;
using ImagePs.Errors;

namespace ImagePs.Settings;

/// <summary>
/// The repository folder and what it holds: <c>catalog.db</c> (SQLite), <c>images/</c> (the
/// filesystem store) and the optional <c>imageps.json</c> settings. Chosen by
/// <c>$env:IMAGEPS_HOME</c>, else the per-user data folder.
/// </summary>
internal sealed class RepositoryFolder
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

    /// <summary>The default policy file (YAML, as oslo.policy prefers); see <see cref="FindPolicyFile"/>.</summary>
    public string PolicyYamlPath => Path.Combine(Root, "policy.yaml");

    public string PolicyJsonPath => Path.Combine(Root, "policy.json");

    /// <summary>The events log: one JSON object per line (Glance's notifications).</summary>
    public string EventsPath => Path.Combine(Root, "events.jsonl");

    /// <summary>Held while one process appends to the events log.</summary>
    public string EventsLockPath => Path.Combine(Root, "events.lock");

    /// <summary>A path from imageps.json: relative ones are relative to the repository folder.</summary>
    public string Resolve(string path) => Path.GetFullPath(Path.Combine(Root, Environment.ExpandEnvironmentVariables(path)));

    /// <summary>
    /// The policy file in force: <c>PolicyFile</c> from the settings (it must exist), else
    /// <c>policy.yaml</c> or <c>policy.json</c> in the folder (both at once is ambiguous, refused),
    /// else none (Glance's defaults only).
    /// </summary>
    public string? FindPolicyFile(RepositorySettings settings)
    {
        if (settings.PolicyFile is { } configured)
        {
            var path = Resolve(configured);
            return File.Exists(path) ? path : throw ImageErrors.InvalidPolicy(path, Messages.PolicyFileMissing);
        }
        var yaml = File.Exists(PolicyYamlPath);
        var json = File.Exists(PolicyJsonPath);
        if (yaml && json) throw ImageErrors.InvalidPolicy(PolicyYamlPath, string.Format(Messages.PolicyFileAmbiguous, PolicyJsonPath));
        return yaml ? PolicyYamlPath : json ? PolicyJsonPath : null;
    }

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

    /// <summary>
    /// Creates the folder and its store on first use. A folder created here is readable only by its
    /// owner (0700 on Unix); an existing folder's permissions are left as they are, so a team can
    /// share one on purpose.
    /// </summary>
    public void EnsureCreated()
    {
        try
        {
            if (!Directory.Exists(Root))
            {
                Directory.CreateDirectory(Root);
                RestrictToOwner();
            }
            Directory.CreateDirectory(StorePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw ImageErrors.RepositoryUnavailable(Root, e);
        }
    }

    /// <summary>
    /// A new folder that cannot be made owner-only is removed again, so the next call fails the same
    /// way instead of quietly using a folder others may read.
    /// </summary>
    private void RestrictToOwner()
    {
        try
        {
            OwnerOnlyPermissions.Apply(Root);
        }
        catch (IOException)
        {
            try
            {
                Directory.Delete(Root);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
            throw;
        }
    }

    public override string ToString() => Root;
}
