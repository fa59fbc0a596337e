using System.Management.Automation;
using ImagePs.Transfer;

namespace ImagePs.Commands;

/// <summary>
/// Copies the current repository (catalog and data) into another repository folder, typically one
/// whose imageps.json names a PostgreSQL catalog and an S3 store: image by image, data verified as
/// it streams, records kept as they are. The source is only read; a copy that stopped is run again.
/// </summary>
[Cmdlet(VerbsCommon.Copy, "ImageRepository", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ImageCopy))]
public sealed class CopyImageRepositoryCommand : ImageCmdlet
{
    /// <summary>The repository folder to copy into (created when missing).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public string Destination { get; set; } = "";

    protected override void EndProcessing()
    {
        var folder = ResolveFileSystemPath(Destination);
        if (folder is null) return;

        RepositoryCopy? copy = null;
        try
        {
            copy = Service.CopyRepositoryTo(folder);
        }
        catch (ImagePsException e)
        {
            ThrowTerminatingError(ErrorRecords.From(e, folder));
        }

        foreach (var item in copy!.Images())
        {
            if (Cancellation.IsCancellationRequested) break;
            var action = string.Format(item.Deleted ? Messages.ActionCopyDeletedImage : Messages.ActionCopyImage, copy.Destination);
            if (!ShouldProcess(item.ToString(), action)) continue;
            TryRun(() => WriteObject(copy.Copy(item, Cancellation)), () => item.Image);
        }
    }
}
