using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using ImagePs.Errors;

namespace ImagePs.Commands;

/// <summary>
/// What every ImagePs cmdlet shares: the repository opened for this invocation (from
/// <c>$env:IMAGEPS_HOME</c> at the time of the call), core errors turned into ErrorRecords, file
/// paths resolved the PowerShell way, and Ctrl+C turned into cancellation.
/// </summary>
public abstract class ImageCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private ImageService? _service;

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline stops.</summary>
    protected CancellationToken Cancellation => _stopping.Token;

    /// <summary>The repository, opened on first use; failing to open it stops the command.</summary>
    private protected ImageService Service
    {
        get
        {
            if (_service is not null) return _service;
            try
            {
                _service = ImageService.Open(new CmdletObserver(this));
            }
            catch (ImagePsException e)
            {
                ThrowTerminatingError(ErrorRecords.From(e, null));
            }
            if (ChangesRepository && !WhatIfInEffect) ScrubExpiredDeletes(_service!);
            return _service!;
        }
    }

    /// <summary>
    /// True for a command that changes the repository: opening it scrubs, first, a bounded number of
    /// delayed deletes past their window (never for Get-* cmdlets, completion or -WhatIf).
    /// </summary>
    private protected virtual bool ChangesRepository => false;

    private void ScrubExpiredDeletes(ImageService service)
    {
        try
        {
            service.ScrubExpired();
        }
        catch (ImagePsException e)
        {
            WriteWarning(e.Message); // housekeeping: the command itself goes on
        }
    }

    protected override void StopProcessing() => _stopping.Cancel();

    public void Dispose()
    {
        OnDispose();
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>What a cmdlet releases when PowerShell disposes of it (before the cancellation source goes).</summary>
    private protected virtual void OnDispose()
    {
    }

    /// <summary>"name (id)" for -WhatIf and -Confirm, or the id alone when the image cannot be read.</summary>
    protected string DescribeImage(Guid id)
    {
        try
        {
            return Service.GetImage(id).ToString();
        }
        catch (ImagePsException)
        {
            return id.ToString();
        }
    }

    /// <summary>Runs one item's work; a core error becomes a non-terminating error and the pipeline goes on.</summary>
    protected bool TryRun(Action work, Func<object?> target)
    {
        try
        {
            work();
            return true;
        }
        catch (ImagePsException e)
        {
            WriteError(ErrorRecords.From(e, target()));
            return false;
        }
    }

    /// <summary>A bad argument: terminates the command with the core error's id and category.</summary>
    protected void ThrowArgumentError(ImagePsException e) => ThrowTerminatingError(ErrorRecords.From(e, e.Target));

    /// <summary>
    /// A file-system path for <paramref name="path"/> resolved against PowerShell's current location
    /// (not the process's), literally (no wildcards); provider-qualified paths (PSPath) work too.
    /// </summary>
    protected string? ResolveFileSystemPath(string path)
    {
        try
        {
            var resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out var provider, out _);
            if (provider.ImplementingType == typeof(Microsoft.PowerShell.Commands.FileSystemProvider)) return resolved;
        }
        catch (Exception e) when (e is ProviderNotFoundException or DriveNotFoundException or NotSupportedException or ArgumentException)
        {
        }
        WriteError(ErrorRecords.From(ImageErrors.PathNotFileSystem(path), path));
        return null;
    }

    /// <summary>
    /// The files a -Path pattern names, resolved against PowerShell's current location: wildcards
    /// expanded (none found is <c>SourceNotFound</c>), a path without wildcards as it is (see
    /// <see cref="ResolveFileSystemPath"/>). Each problem is written as an error; the rest go on.
    /// </summary>
    protected IEnumerable<string> ResolveFileSystemPaths(string pattern)
    {
        if (!WildcardPattern.ContainsWildcardCharacters(pattern))
        {
            return ResolveFileSystemPath(pattern) is { } file ? new[] { file } : Array.Empty<string>();
        }
        try
        {
            var files = SessionState.Path.GetResolvedProviderPathFromPSPath(pattern, out var provider);
            if (provider.ImplementingType == typeof(Microsoft.PowerShell.Commands.FileSystemProvider)) return files;
        }
        catch (ItemNotFoundException)
        {
            WriteError(ErrorRecords.From(ImageErrors.SourceNotFound(pattern), pattern));
            return Array.Empty<string>();
        }
        catch (Exception e) when (e is ProviderNotFoundException or DriveNotFoundException or NotSupportedException or ArgumentException)
        {
        }
        WriteError(ErrorRecords.From(ImageErrors.PathNotFileSystem(pattern), pattern));
        return Array.Empty<string>();
    }

    /// <summary>
    /// ShouldProcess, except that <paramref name="force"/> skips the confirmation prompt, unless
    /// -Confirm was asked for explicitly or -WhatIf is in effect (then nothing happens, as always).
    /// </summary>
    protected bool ShouldProcessUnlessForced(bool force, string target, string action)
    {
        if (!force || ConfirmRequested || WhatIfInEffect) return ShouldProcess(target, action);
        return true;
    }

    private bool ConfirmRequested =>
        MyInvocation.BoundParameters.TryGetValue("Confirm", out var confirm) && LanguagePrimitives.IsTrue(confirm);

    /// <summary>Whether -WhatIf (or $WhatIfPreference) is in effect for this call.</summary>
    protected bool WhatIfInEffect =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out var whatIf)
            ? LanguagePrimitives.IsTrue(whatIf)
            : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));
}
