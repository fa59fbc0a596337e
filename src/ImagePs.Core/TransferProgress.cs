using System;

namespace ImagePs;

/// <summary>Where an upload or download stands: bytes, rate and time left, computed by the core.</summary>
internal sealed class TransferProgress
{
    public TransferProgress(Guid imageId, string activity, string description, long bytesDone, long? totalBytes,
        double bytesPerSecond, TimeSpan? remaining, bool completed)
    {
        ImageId = imageId;
        Activity = activity;
        Description = description;
        BytesDone = bytesDone;
        TotalBytes = totalBytes;
        BytesPerSecond = bytesPerSecond;
        Remaining = remaining;
        Completed = completed;
    }

    public Guid ImageId { get; }

    /// <summary>What is being done, e.g. "Uploading debian-12".</summary>
    public string Activity { get; }

    /// <summary>The file being read or written.</summary>
    public string Description { get; }

    public long BytesDone { get; }
    public long? TotalBytes { get; }
    public double BytesPerSecond { get; }
    public TimeSpan? Remaining { get; }
    public bool Completed { get; }

    /// <summary>0-100 when the total is known, else -1 (PowerShell's "unknown").</summary>
    public int Percent => TotalBytes is > 0 ? (int)Math.Min(100, BytesDone * 100 / TotalBytes.Value) : -1;
}
