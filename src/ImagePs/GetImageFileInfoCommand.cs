using System.Management.Automation;
using ImagePs.Errors;
using ImagePs.Formats;
using Microsoft.PowerShell.Commands;

namespace ImagePs.Commands;

/// <summary>
/// Inspects local disk-image files with the native inspectors before they are ingested: format,
/// variant, file and virtual size, safety and findings; -Hash adds MD5 and SHA-512. Creates nothing.
/// </summary>
[Cmdlet(VerbsCommon.Get, "ImageFileInfo", DefaultParameterSetName = PathSet)]
[OutputType(typeof(ImageFileInfo))]
public sealed class GetImageFileInfoCommand : ImageCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true)]
    [SupportsWildcards]
    public string[] Path { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "FullName")]
    public string[] LiteralPath { get; set; } = null!;

    /// <summary>Also reads the whole file once for its MD5 and SHA-512.</summary>
    [Parameter]
    public SwitchParameter Hash { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == LiteralPathSet)
        {
            foreach (var path in LiteralPath)
            {
                if (ResolveFileSystemPath(path) is { } file) InspectOne(file);
            }
            return;
        }
        foreach (var pattern in Path)
        {
            foreach (var file in ResolveFileSystemPaths(pattern)) InspectOne(file);
        }
    }

    private void InspectOne(string file) =>
        TryRun(() => WriteObject(ImageFileInspector.Inspect(file, Hash.IsPresent, Cancellation)), () => file);
}
