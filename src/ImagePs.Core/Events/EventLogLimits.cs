using ImagePs.Settings;

namespace ImagePs.Events;

/// <summary>
/// When the events-log file is rotated and how many rotated files are kept (imageps.json's
/// <c>EventLogMaxBytes</c>, <c>EventLogMaxAgeDays</c>, <c>EventLogMaxFiles</c>); 0 means no limit.
/// </summary>
internal sealed class EventLogLimits
{
    public EventLogLimits(long maxBytes, int maxAgeDays, int maxFiles)
    {
        MaxBytes = maxBytes;
        MaxAgeDays = maxAgeDays;
        MaxFiles = maxFiles;
    }

    public static EventLogLimits Default { get; } = new(RepositorySettings.DefaultEventLogMaxBytes, 0, RepositorySettings.DefaultEventLogMaxFiles);

    /// <summary>events.jsonl is rotated before an append would make it larger than this.</summary>
    public long MaxBytes { get; }

    /// <summary>events.jsonl is rotated once its first event is older than this; older rotated files are deleted.</summary>
    public int MaxAgeDays { get; }

    /// <summary>Rotated files kept (the newest).</summary>
    public int MaxFiles { get; }
}
