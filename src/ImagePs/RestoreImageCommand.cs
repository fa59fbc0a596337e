using System;
using System.Management.Automation;

namespace ImagePs.Commands;

/// <summary>
/// Undoes a delayed delete: a PendingDelete image (removed while DelayedDeleteSeconds is set) goes
/// back to the status it had, Active or Deactivated, its data intact, within the window. Rule
/// <c>restore_image</c>; an <c>image.update</c> event.
/// </summary>
[Cmdlet(VerbsData.Restore, "Image", SupportsShouldProcess = true)]
[OutputType(typeof(Image))]
public sealed class RestoreImageCommand : ImageCmdlet
{
    private protected override bool ChangesRepository => true;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(PendingDeleteImageIdCompleter))]
    public Guid[] Id { get; set; } = Array.Empty<Guid>();

    /// <summary>Emits the restored image.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var id in Id) Restore(id);
    }

    private void Restore(Guid id)
    {
        Image? image = null;
        TryRun(() =>
        {
            image = Service.PrepareRestore(id);
            Service.CheckSave(image); // ownership and restore_image refuse before any question
            if (!ShouldProcess(image.ToString(), string.Format(Messages.ActionRestoreImage, image.Status))) return;
            image = Service.SaveImage(image);
            if (PassThru) WriteObject(image);
        }, () => (object?)image ?? id);
    }
}
