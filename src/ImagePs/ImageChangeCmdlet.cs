using System;
using System.Management.Automation;

namespace ImagePs.Commands;

/// <summary>
/// What Set-Image, Disable-Image and Enable-Image share: images chosen by -Id or from the pipeline,
/// and one order for every change: read the image, change it in memory (every rule checked, so a
/// refusal comes before any question), ask (ShouldProcess), save through the gateway with a
/// compare-and-swap on the status read, and emit the image with -PassThru.
/// </summary>
public abstract class ImageChangeCmdlet : ImageSelectionCmdlet
{
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
            if (!ShouldProcess(target, action)) return;
            if (changed) Service.SaveImage(image);
            if (PassThru) WriteObject(image);
        }, () => (object?)image ?? id);
    }
}
