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
public sealed class SaveImageDataCommand : ImageCmdlet
{
    private const string ByIdSet = "ById";
    private const string InputObjectSet = "InputObject";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByIdSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    public Guid Id { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
    public Image? InputObject { get; set; }

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
        var id = InputObject?.Id ?? Id;
        var destination = ResolveFileSystemPath(Path);
        if (destination is null) return;
        var target = InputObject?.ToString() ?? DescribeImage(id);
        if (!ShouldProcess(target, string.Format(Messages.ActionSaveData, destination))) return;

        TryRun(() =>
        {
            var written = Service.DownloadData(id, destination, Force.IsPresent, Cancellation);
            // Through the provider, so the item carries PSPath, Mode and the file table view.
            if (PassThru) WriteObject(InvokeProvider.Item.Get(new[] { written }, false, true), enumerateCollection: true);
        }, () => (object?)InputObject ?? id);
    }
}
