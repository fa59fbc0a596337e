using System;
using System.Collections;
using System.Management.Automation;
using ImagePs.Domain;

namespace ImagePs.Commands;

/// <summary>
/// Creates a catalog record (status Queued, no data). From files on the pipeline the name defaults
/// to the file's base name and the disk format to the file's detected format; a file whose content is
/// unsafe (UnsafeImage) or does not match -DiskFormat (DiskFormatMismatch) is refused. The output
/// carries the file as SourcePath so <c>| Send-ImageData</c> uploads it with no more arguments.
/// </summary>
[Cmdlet(VerbsCommon.New, "Image", SupportsShouldProcess = true)]
[OutputType(typeof(Image))]
public sealed class NewImageCommand : ImageCmdlet
{
    private protected override bool ChangesRepository => true;

    private bool _nameTyped;

    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    public string? Name { get; set; }

    /// <summary>A file to describe; files from Get-ChildItem bind by their PSPath.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "FullName", "LiteralPath")]
    public string? Path { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(DiskFormatCompleter))]
    public string? DiskFormat { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(ContainerFormatCompleter))]
    public string ContainerFormat { get; set; } = "bare";

    [Parameter]
    public ImageVisibility Visibility { get; set; } = ImageVisibility.Shared;

    [Parameter]
    [ArgumentCompleter(typeof(ImageTagCompleter))]
    public string[]? Tag { get; set; }

    [Parameter]
    public Hashtable? Property { get; set; }

    [Parameter]
    public int MinDisk { get; set; }

    [Parameter]
    public int MinRam { get; set; }

    [Parameter]
    public SwitchParameter Protected { get; set; }

    /// <summary>Glance's os_hidden: left out of Get-Image listings and completion unless -IncludeHidden.</summary>
    [Parameter]
    public SwitchParameter Hidden { get; set; }

    [Parameter]
    public Guid Id { get; set; }

    protected override void BeginProcessing()
    {
        // Only parameters typed on the command line are bound at this point, not pipeline ones.
        _nameTyped = MyInvocation.BoundParameters.ContainsKey(nameof(Name));
    }

    protected override void ProcessRecord()
    {
        string? file = null;
        if (Path is not null)
        {
            file = ResolveFileSystemPath(Path);
            if (file is null) return;
        }

        TryRun(() =>
        {
            var draft = ImageDrafts.From(MyInvocation.BoundParameters.ContainsKey(nameof(Id)) ? Id : null, ChooseName(file),
                file is null ? DiskFormat : Service.ChooseDiskFormat(file, DiskFormat, ContainerFormat), ContainerFormat, Visibility,
                Protected.IsPresent, Hidden.IsPresent, MinDisk, MinRam, Tag, Property);

            if (!ShouldProcess(draft.Name ?? file ?? Messages.UnnamedImage, Messages.ActionCreateImage)) return;
            var image = Service.CreateImage(draft);
            var output = PSObject.AsPSObject(image);
            if (file is not null) output.Properties.Add(new PSNoteProperty("SourcePath", file));
            WriteObject(output);
        }, () => null); // the error names its own offending value (a path, a format, a property)
    }

    /// <summary>
    /// A file's Name property binds to -Name from the pipeline; unless a name was typed, an image
    /// made from a file is named after the file without its extension.
    /// </summary>
    private string? ChooseName(string? file)
    {
        if (file is null || _nameTyped) return Name;
        if (Name is null || Name == System.IO.Path.GetFileName(file)) return System.IO.Path.GetFileNameWithoutExtension(file);
        return Name;
    }
}
