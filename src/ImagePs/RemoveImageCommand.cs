using System;
using System.Management.Automation;

namespace ImagePs.Commands;

/// <summary>
/// Deletes images and their data. Asks first (ConfirmImpact High) unless -Force or -Confirm:$false;
/// protected images are refused and left untouched.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "Image", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = InputObjectSet)]
[OutputType(typeof(void))]
public sealed class RemoveImageCommand : ImageCmdlet
{
    private const string ByIdSet = "ById";
    private const string InputObjectSet = "InputObject";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByIdSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ImageIdCompleter))]
    public Guid[] Id { get; set; } = Array.Empty<Guid>();

    [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
    public Image[] InputObject { get; set; } = Array.Empty<Image>();

    /// <summary>Removes without asking for confirmation.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == InputObjectSet)
        {
            foreach (var image in InputObject) Remove(image.Id);
        }
        else
        {
            foreach (var id in Id) Remove(id);
        }
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
