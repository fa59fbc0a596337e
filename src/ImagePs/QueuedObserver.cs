using System.Collections.Concurrent;
using System.Threading;

namespace ImagePs.Commands;

/// <summary>
/// The observer of an import running off the pipeline thread: PowerShell's streams may only be
/// written from that thread (or a job's collections), so warnings, verbose messages and progress
/// wait here until the pipeline thread drains them.
/// </summary>
internal sealed class QueuedObserver : IOperationObserver
{
    private readonly ConcurrentQueue<object> _messages;
    private readonly SemaphoreSlim _signal;

    public QueuedObserver(ConcurrentQueue<object> messages, SemaphoreSlim signal)
    {
        _messages = messages;
        _signal = signal;
    }

    public void Warning(string message) => Post(new System.Management.Automation.WarningRecord(message));

    public void Verbose(string message) => Post(new System.Management.Automation.VerboseRecord(message));

    public void Progress(TransferProgress progress) => Post(progress);

    private void Post(object message)
    {
        _messages.Enqueue(message);
        _signal.Release();
    }
}
