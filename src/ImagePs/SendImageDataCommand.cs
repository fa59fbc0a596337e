using System;
using System.Management.Automation;

namespace ImagePs.Commands;

/// <summary>
/// Uploads a file into a Queued image: Queued → Saving → Active, with MD5 and SHA-512 computed while
/// streaming and the virtual size probed. A failed upload leaves the image Queued and no data behind.
/// </summary>
[Cmdlet(VerbsCommunications.Send, "ImageData", SupportsShouldProcess = true, DefaultParameterSetName = InputObjectSet)]
[OutputType(typeof(Image))]
public sealed class SendImageDataCommand : OneImageCmdlet
{
    private protected override bool ChangesRepository => true;

    /// <summary>The file to upload; New-Image's output binds through its SourcePath.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("SourcePath", "PSPath", "FullName", "LiteralPath")]
    public string Path { get; set; } = "";

    /// <summary>The size the data must have, in bytes.</summary>
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long Size { get; set; }

    /// <summary>The MD5 (hex) the data must have.</summary>
    [Parameter]
    [ValidatePattern("^[0-9a-fA-F]{32}$")]
    public string? Checksum { get; set; }

    /// <summary>The SHA-512 (hex) the data must have.</summary>
    [Parameter]
    [ValidatePattern("^[0-9a-fA-F]{128}$")]
    public string? OsHashValue { get; set; }

    protected override void ProcessRecord()
    {
        var id = SelectedId;
        var file = ResolveFileSystemPath(Path);
        if (file is null) return;
        if (!ShouldProcess(SelectedTarget, string.Format(Messages.ActionUploadData, file))) return;

        var options = new UploadOptions
        {
            Size = MyInvocation.BoundParameters.ContainsKey(nameof(Size)) ? Size : null,
            Checksum = Checksum,
            OsHashValue = OsHashValue,
        };
        TryRun(() => WriteObject(Service.UploadData(id, file, options, Cancellation)), () => CurrentImageOr(id));
    }

    /// <summary>After a failure the error's target is the image as it is now (normally Queued again).</summary>
    private object CurrentImageOr(Guid id)
    {
        try
        {
            return Service.GetImage(id);
        }
        catch (ImagePsException)
        {
            return SelectedObject;
        }
    }
}
