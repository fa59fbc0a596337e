using System;
using System.Management.Automation;

namespace ImagePs.Commands;

/// <summary>Forwards the core's warnings, notes and transfer progress to the cmdlet's streams.</summary>
internal sealed class CmdletObserver : IOperationObserver
{
    private readonly Cmdlet _cmdlet;

    public CmdletObserver(Cmdlet cmdlet) => _cmdlet = cmdlet;

    public void Warning(string message) => _cmdlet.WriteWarning(message);

    public void Verbose(string message) => _cmdlet.WriteVerbose(message);

    /// <summary>One progress record per image (its id derived from the image id), completed at the end.</summary>
    public void Progress(TransferProgress progress) => _cmdlet.WriteProgress(ToRecord(progress));

    /// <summary>The progress record of a transfer (also for imports that report through a queue or a job).</summary>
    public static ProgressRecord ToRecord(TransferProgress progress, int parentActivityId = -1)
    {
        var status = progress.TotalBytes is long total
            ? string.Format(Messages.ProgressStatus, SizeText.Of(progress.BytesDone), SizeText.Of(total), SizeText.Of((long)progress.BytesPerSecond))
            : string.Format(Messages.ProgressStatusUnknownTotal, SizeText.Of(progress.BytesDone), SizeText.Of((long)progress.BytesPerSecond));
        var record = new ProgressRecord(ActivityId(progress.ImageId), progress.Activity, status)
        {
            CurrentOperation = progress.Description,
            PercentComplete = progress.Percent,
            SecondsRemaining = progress.Remaining is TimeSpan left ? (int)Math.Ceiling(left.TotalSeconds) : -1,
            RecordType = progress.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
            ParentActivityId = parentActivityId,
        };
        return record;
    }

    private static int ActivityId(Guid imageId) => (imageId.GetHashCode() & 0x7FFFFFFF) % 1_000_000_000 + 1;
}
