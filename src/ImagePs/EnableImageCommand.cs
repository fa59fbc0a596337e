using System.Management.Automation;

namespace ImagePs.Commands;

/// <summary>Glance's reactivate: a Deactivated image becomes Active again. An Active image is left as it is.</summary>
[Cmdlet(VerbsLifecycle.Enable, "Image", SupportsShouldProcess = true, DefaultParameterSetName = ByIdSet)]
[OutputType(typeof(Image))]
public sealed class EnableImageCommand : ImageChangeCmdlet
{
    protected override bool Plan(Image image, out string action)
    {
        action = Messages.ActionEnableImage;
        return ImageService.Reactivate(image);
    }
}
