using System;
using System.Diagnostics;

namespace ImagePs.Store;

/// <summary>
/// Turns "bytes copied so far" into progress reports with a rate and time left, at most a few per
/// second so that a fast copy is not slowed by its own progress bar.
/// </summary>
internal sealed class ProgressMeter
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    private readonly IOperationObserver _observer;
    private readonly Guid _imageId;
    private readonly string _activity;
    private string _description;
    private readonly long? _total;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _lastReport = TimeSpan.Zero;
    private long _bytes;

    public ProgressMeter(IOperationObserver observer, Guid imageId, string activity, string description, long? total)
    {
        _observer = observer;
        _imageId = imageId;
        _activity = activity;
        _description = description;
        _total = total;
    }

    /// <summary>What is being read or written now, for a meter that spans several items.</summary>
    public string Description
    {
        set => _description = value;
    }

    /// <summary>Called by the copier with the bytes done so far.</summary>
    public void Report(long bytes)
    {
        _bytes = bytes;
        var now = _clock.Elapsed;
        if (now - _lastReport < Interval) return;
        _lastReport = now;
        _observer.Progress(Snapshot(completed: false));
    }

    /// <summary>Closes the progress record (success or failure).</summary>
    public void Complete() => _observer.Progress(Snapshot(completed: true));

    private TransferProgress Snapshot(bool completed)
    {
        var seconds = _clock.Elapsed.TotalSeconds;
        var rate = seconds > 0 ? _bytes / seconds : 0;
        TimeSpan? remaining = _total is long total && rate > 0 && total >= _bytes
            ? TimeSpan.FromSeconds((total - _bytes) / rate)
            : null;
        return new TransferProgress(_imageId, _activity, _description, _bytes, _total, rate, remaining, completed);
    }
}
