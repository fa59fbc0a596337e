using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using ImagePs.Settings;

namespace ImagePs.Commands;

/// <summary>
/// The repository completers read, one per runspace: opened for reading only (no migration, no
/// statistics refresh, no recovery: see <see cref="RepositoryBackend.OpenForReading"/>) on the first
/// Tab, reused while the repository home, its settings file and its rules files (policy,
/// protections) are the same, reopened when one changes, and let go when the runspace closes.
/// </summary>
internal sealed class CompletionRepository
{
    private static readonly ConditionalWeakTable<Runspace, CompletionRepository> ByRunspace = new();

    private readonly object _gate = new();
    private string? _key;
    private RepositoryBackend? _backend;

    /// <summary>The current runspace's repository for <paramref name="folder"/>, opened if need be.</summary>
    public static RepositoryBackend For(RepositoryFolder folder)
    {
        var runspace = Runspace.DefaultRunspace;
        if (runspace is null) return RepositoryBackend.OpenForReading(folder);
        return ByRunspace.GetValue(runspace, Track).Backend(folder);
    }

    private static CompletionRepository Track(Runspace runspace)
    {
        var cached = new CompletionRepository();
        runspace.StateChanged += (_, e) =>
        {
            if (e.RunspaceStateInfo.State is RunspaceState.Closed or RunspaceState.Broken) cached.Release();
        };
        return cached;
    }

    private RepositoryBackend Backend(RepositoryFolder folder)
    {
        lock (_gate)
        {
            var key = KeyOf(folder, _backend?.Settings);
            if (_backend is not null && _key == key) return _backend;
            ReleaseHeld();
            _backend = RepositoryBackend.OpenForReading(folder);
            _key = KeyOf(folder, _backend.Settings);
            return _backend;
        }
    }

    /// <summary>
    /// The home and the size and time of each file the open repository was read from; the files the
    /// settings name are those of the settings already read (if the settings changed, so does the key).
    /// </summary>
    private static string KeyOf(RepositoryFolder folder, RepositorySettings? settings)
    {
        var files = new List<string> { folder.SettingsPath, folder.PolicyYamlPath, folder.PolicyJsonPath };
        if (settings?.PolicyFile is { } policy) files.Add(folder.Resolve(policy));
        if (settings?.PropertyProtectionFile is { } protections) files.Add(folder.Resolve(protections));
        var key = new StringBuilder(folder.Root);
        foreach (var file in files.Select(path => new FileInfo(path)))
            key.Append('|').Append(file.Exists ? $"{file.Length}@{file.LastWriteTimeUtc.Ticks}" : "-");
        return key.ToString();
    }

    private void Release()
    {
        lock (_gate) ReleaseHeld();
    }

    private void ReleaseHeld()
    {
        _backend?.ClosePools();
        _backend = null;
        _key = null;
    }
}
