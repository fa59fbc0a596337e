using System;
using System.Management.Automation;

namespace ImagePs.Commands;

/// <summary>
/// Deletes images and their data. Asks first (ConfirmImpact High) unless -Force or -Confirm:$false;
/// protected images are refused and left untouched.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "Image", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = InputObjectSet)]
[OutputType(typeof(void))]
public sealed class RemoveImageCommand : ImageSelectionCmdlet
{
    private protected override bool ChangesRepository => true;

    /// <summary>Removes without asking for confirmation.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var id in SelectedIds()) Remove(id);
    }

    private void Remove(Guid id)
    {
        Image? image = null;
        TryRun(() =>
        {
            image = Service.GetImage(id);
            Service.CheckRemoveAllowed(image);
            if (!ShouldProcessUnlessForced(Force, image.ToString(), Messages.ActionRemoveImage)) return;
            Service.RemoveImage(id);
        }, () => (object?)image ?? id);
    }
}
