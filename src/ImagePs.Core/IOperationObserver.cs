namespace ImagePs;

/// <summary>
/// How the core tells its caller what is happening without knowing PowerShell: the cmdlets turn
/// these into WriteWarning, WriteVerbose and WriteProgress on the pipeline thread. The core calls
/// them only from the thread that called it.
/// </summary>
internal interface IOperationObserver
{
    void Warning(string message);

    void Verbose(string message);

    void Progress(TransferProgress progress);
}

/// <summary>An observer that discards everything.</summary>
internal sealed class SilentObserver : IOperationObserver
{
    public static SilentObserver Instance { get; } = new();

    public void Warning(string message) { }

    public void Verbose(string message) { }

    public void Progress(TransferProgress progress) { }
}
