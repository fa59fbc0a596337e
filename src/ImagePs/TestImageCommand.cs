using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace ImagePs.Commands;

/// <summary>
/// Verifies images' data at rest: each image's data is read from the store once, its size, MD5 and
/// os_hash compared with the catalog and its content checked against today's rules; one result (or,
/// with -Quiet, one bool) per image. -Deactivate takes the Active images whose data is wrong out of
/// service. The input is collected first, so that one progress bar covers all of it.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "Image", SupportsShouldProcess = true, DefaultParameterSetName = ByIdSet)]
[OutputType(typeof(ImageVerification), typeof(bool))]
public sealed class TestImageCommand : ImageSelectionCmdlet
{
    private readonly List<Guid> _ids = new();

    /// <summary>Writes only whether each image passed, as Test-Path does.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    /// <summary>Deactivates the Active images that fail (Glance's deactivate), after ShouldProcess.</summary>
    [Parameter]
    public SwitchParameter Deactivate { get; set; }

    protected override void ProcessRecord() => _ids.AddRange(SelectedIds());

    protected override void EndProcessing()
    {
        var images = new List<Image>();
        foreach (var id in _ids.Distinct()) TryRun(() => images.Add(Service.GetImage(id)), () => id);
        if (images.Count == 0) return;

        var progress = Service.StartVerificationProgress(images);
        try
        {
            foreach (var image in images)
            {
                TryRun(() =>
                {
                    ImageVerification result;
                    try
                    {
                        // -WhatIf is a dry run: the verification happens, but leaves no trace in the events log.
                        result = Service.VerifyImage(image, progress.Next(image), Cancellation, record: !WhatIfInEffect);
                    }
                    finally
                    {
                        progress.Done(image);
                    }
                    if (Deactivate && ImageService.ShouldDeactivate(result)) DeactivateFailed(image, result);
                    WriteObject(Quiet ? result.Passed : result);
                }, () => image);
            }
        }
        finally
        {
            progress.Complete();
        }
    }

    private void DeactivateFailed(Image image, ImageVerification result)
    {
        TryRun(() =>
        {
            var current = Service.GetImage(image.Id);
            if (!ImageService.Deactivate(current)) return;
            Service.CheckSave(current); // a refusal comes before any question, and -WhatIf shows it
            if (!ShouldProcess(current.ToString(), string.Format(Messages.ActionDeactivateFailedImage, result.Reason))) return;
            Service.SaveChange(current, ImageService.Deactivate);
        }, () => image);
    }
}
