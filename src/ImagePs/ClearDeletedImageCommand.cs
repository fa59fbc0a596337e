using System;
using System.Management.Automation;

namespace ImagePs.Commands;

/// <summary>
/// Glance's scrubber for scheduled runs: deletes for good the images removed with a delayed delete
/// whose window has passed (every PendingDelete image with -All), data first, then the row marked
/// Deleted; then deletes data in the store that no live image has (left by a process that died
/// during a delete). Administrators only. Outputs nothing, or the ids scrubbed with -PassThru.
/// </summary>
[Cmdlet(VerbsCommon.Clear, "DeletedImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(Guid))]
public sealed class ClearDeletedImageCommand : ImageCmdlet
{
    /// <summary>Scrubs every PendingDelete image now, its window over or not.</summary>
    [Parameter]
    public SwitchParameter All { get; set; }

    /// <summary>Scrubs without asking for confirmation.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Emits the id of each image scrubbed.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void EndProcessing()
    {
        System.Collections.Generic.IReadOnlyList<Image> due;
        try
        {
            due = Service.FindScrubbable(All);
        }
        catch (ImagePsException e)
        {
            ThrowTerminatingError(ErrorRecords.From(e, null));
            return;
        }
        foreach (var image in due)
        {
            TryRun(() =>
            {
                if (!ShouldProcessUnlessForced(Force, image.ToString(), Messages.ActionScrubImage)) return;
                Service.ScrubImage(image);
                if (PassThru) WriteObject(image.Id);
            }, () => image);
        }
        TryRun(() =>
        {
            if (!ShouldProcessUnlessForced(Force, Service.Backend.Store.ToString() ?? "", Messages.ActionSweepOrphans)) return;
            Service.SweepOrphanedData();
        }, () => null);
    }
}
