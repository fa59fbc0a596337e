using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ImagePs.Import;

namespace ImagePs.Commands;

/// <summary>
/// Import-Image -AsJob: the imports run in the background of this session; Get-Job, Receive-Job,
/// Wait-Job and Stop-Job handle it like any job. Its output is the Active images, its errors the
/// inputs that failed (the job still completes, as a job whose script wrote errors does). Stop-Job
/// returns once every running import has cleaned up: each image is then Queued or Active.
/// </summary>
internal sealed class ImportJob : Job
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly IReadOnlyList<(ImportRequest Request, object Target)> _inputs;
    private readonly int _throttleLimit;
    private Task? _work;

    public ImportJob(string command, IReadOnlyList<(ImportRequest Request, object Target)> inputs, int throttleLimit)
        : base(command)
    {
        _inputs = inputs;
        _throttleLimit = throttleLimit;
        PSJobTypeName = "ImageImportJob";
    }

    public override string StatusMessage => "";

    public override bool HasMoreData => Output.Count > 0 || Error.Count > 0 || Warning.Count > 0 || Verbose.Count > 0 || Progress.Count > 0;

    public override string Location => Environment.MachineName;

    public void Start()
    {
        SetJobState(JobState.Running);
        _work = Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public override void StopJob()
    {
        if (IsFinished(JobStateInfo.State)) return;
        _stopping.Cancel();
        _work?.Wait();
    }

    private void Run()
    {
        using var runner = new ImportRunner(_throttleLimit, _stopping.Token);
        try
        {
            foreach (var (request, target) in _inputs)
            {
                runner.Add(request, target);
                runner.Pump(Deliver, Finish, untilDone: false);
            }
            runner.Pump(Deliver, Finish, untilDone: true);
            SetJobState(JobState.Completed);
        }
        catch (OperationCanceledException)
        {
            SetJobState(JobState.Stopped);
        }
        catch (Exception e)
        {
            Error.Add(new ErrorRecord(e, "ImportJobFailed", ErrorCategory.NotSpecified, null));
            SetJobState(JobState.Failed);
        }
    }

    private void Deliver(object message)
    {
        switch (message)
        {
            case WarningRecord warning:
                Warning.Add(warning);
                break;
            case VerboseRecord verbose:
                Verbose.Add(verbose);
                break;
            case TransferProgress progress:
                Progress.Add(CmdletObserver.ToRecord(progress));
                break;
        }
    }

    private void Finish(ImportRunner.Item item)
    {
        try
        {
            Output.Add(PSObject.AsPSObject(ImportRunner.Result(item)));
        }
        catch (ImagePsException e)
        {
            Error.Add(ErrorRecords.From(e, item.Target));
        }
        catch (OperationCanceledException)
        {
            // Stopped: the job's state says so.
        }
    }

    private static bool IsFinished(JobState state) => state is JobState.Completed or JobState.Failed or JobState.Stopped;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            StopJob();
            _stopping.Dispose();
        }
        base.Dispose(disposing);
    }
}
