using System;
using System.Management.Automation;

namespace ImagePs.Commands;

/// <summary>
/// What Set-Image, Disable-Image and Enable-Image share: images chosen by -Id or from the pipeline,
/// and one order for every change: read the image, change it in memory (every rule checked, so a
/// refusal comes before any question, including ownership, policy and quotas), ask (ShouldProcess),
/// save through the gateway with a compare-and-swap on the status and row version read (a change
/// that lost a race is applied again to the current record, a few times), and emit the image with
/// -PassThru.
/// </summary>
public abstract class ImageChangeCmdlet : ImageSelectionCmdlet
{
    private protected override bool ChangesRepository => true;

    /// <summary>Emits the image as saved.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var id in SelectedIds()) Change(id);
    }

    /// <summary>
    /// Changes <paramref name="image"/> in memory through the core; returns whether there is anything
    /// to save, and the sentence -WhatIf and -Confirm show.
    /// </summary>
    protected abstract bool Plan(Image image, out string action);

    private void Change(Guid id)
    {
        Image? image = null;
        TryRun(() =>
        {
            image = Service.GetImage(id);
            var target = image.ToString();
            var changed = Plan(image, out var action);
            if (changed) Service.CheckSave(image); // a refusal comes before any question, and -WhatIf shows it
            if (!ShouldProcess(target, action)) return;
            if (changed) image = Service.SaveChange(image, current => Plan(current, out _));
            if (PassThru) WriteObject(image);
        }, () => (object?)image ?? id);
    }
}
