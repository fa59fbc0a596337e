using System;
using System.Collections.Generic;
using System.Linq;
using ImagePs.Store;

namespace ImagePs.Verification;

/// <summary>
/// One progress bar over a whole Test-Image run: bytes read of all the images' data together (their
/// sizes in the catalog), the image being read named, with rate and time left.
/// </summary>
internal sealed class VerificationProgress
{
    private readonly ProgressMeter _meter;
    private readonly int _count;
    private long _before;
    private int _index;

    public VerificationProgress(IOperationObserver observer, IReadOnlyCollection<Image> images)
    {
        _count = images.Count;
        var total = images.Where(ImageVerifier.HasData).Sum(image => image.Size ?? 0);
        _meter = new ProgressMeter(observer, Guid.Empty, string.Format(Messages.ActivityVerifying, _count), "", total);
    }

    /// <summary>The progress callback for the next image, which starts now.</summary>
    public Action<long> Next(Image image)
    {
        _index++;
        _meter.Description = string.Format(Messages.VerifyProgressItem, _index, _count, image);
        var start = _before;
        _meter.Report(start);
        return bytes => _meter.Report(start + bytes);
    }

    /// <summary>Counts the image as done, by its catalog size, so that the bar ends at its total even when data was short or missing.</summary>
    public void Done(Image image)
    {
        if (ImageVerifier.HasData(image)) _before += image.Size ?? 0;
        _meter.Report(_before);
    }

    public void Complete() => _meter.Complete();
}
