using System;
using System.IO;
using System.Management.Automation;

namespace ImagePs.Commands;

/// <summary>
/// Writes an Active image's data to a file, streaming, with size, MD5 and SHA-512 verified against
/// the catalog in the same pass. A mismatch deletes the output (ImageDataCorrupted).
/// </summary>
[Cmdlet(VerbsData.Save, "ImageData", SupportsShouldProcess = true, DefaultParameterSetName = InputObjectSet)]
[OutputType(typeof(FileInfo))]
public sealed class SaveImageDataCommand : OneImageCmdlet
{
    /// <summary>The file to write, or a folder to write &lt;name&gt;.&lt;format&gt; into.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [Alias("Destination")]
    public string Path { get; set; } = "";

    /// <summary>Overwrites an existing file.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Emits the file written.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var id = SelectedId;
        var destination = ResolveFileSystemPath(Path);
        if (destination is null) return;
        if (!ShouldProcess(SelectedTarget, string.Format(Messages.ActionSaveData, destination))) return;

        TryRun(() =>
        {
            var written = Service.DownloadData(id, destination, Force.IsPresent, Cancellation);
            // Through the provider, so the item carries PSPath, Mode and the file table view.
            if (PassThru) WriteObject(InvokeProvider.Item.Get(new[] { written }, false, true), enumerateCollection: true);
        }, () => SelectedObject);
    }
}
