using System;
using System.IO;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using ImagePs.Settings;

namespace ImagePs.Commands;

/// <summary>
/// The repository completers read, one per runspace: opened for reading only (no migration, no
/// statistics refresh, no recovery: see <see cref="RepositoryBackend.OpenForReading"/>) on the first
/// Tab, reused while the repository home and its settings file are the same, reopened when either
/// changes, and let go when the runspace closes.
/// </summary>
internal sealed class CompletionRepository
{
    private static readonly ConditionalWeakTable<Runspace, CompletionRepository> ByRunspace = new();

    private readonly object _gate = new();
    private (string Home, DateTime SettingsWritten, long SettingsLength)? _key;
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
        var settings = new FileInfo(folder.SettingsPath);
        var key = (folder.Root, settings.Exists ? settings.LastWriteTimeUtc : DateTime.MinValue, settings.Exists ? settings.Length : -1);
        lock (_gate)
        {
            if (_backend is not null && _key == key) return _backend;
            ReleaseHeld();
            _backend = RepositoryBackend.OpenForReading(folder);
            _key = key;
            return _backend;
        }
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
