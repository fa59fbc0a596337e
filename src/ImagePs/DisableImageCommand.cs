using System.Management.Automation;

namespace ImagePs.Commands;

/// <summary>
/// Glance's deactivate: an Active image becomes Deactivated and its data cannot be downloaded by
/// non-admins until Enable-Image. An image already Deactivated is left as it is.
/// </summary>
[Cmdlet(VerbsLifecycle.Disable, "Image", SupportsShouldProcess = true, DefaultParameterSetName = ByIdSet)]
[OutputType(typeof(Image))]
public sealed class DisableImageCommand : ImageChangeCmdlet
{
    protected override bool Plan(Image image, out string action)
    {
        action = Messages.ActionDisableImage;
        return ImageService.Deactivate(image);
    }
}
