namespace ImagePs;

/// <summary>
/// How the core tells its caller what is happening without knowing PowerShell: the cmdlets turn
/// these into WriteWarning and WriteVerbose on the pipeline thread.
/// </summary>
public interface IOperationObserver
{
    void Warning(string message);

    void Verbose(string message);
}

/// <summary>An observer that discards everything.</summary>
public sealed class SilentObserver : IOperationObserver
{
    public static SilentObserver Instance { get; } = new();

    public void Warning(string message) { }

    public void Verbose(string message) { }
}
