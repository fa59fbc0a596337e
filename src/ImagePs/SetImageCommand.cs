using System;
using System.Collections;
using System.Management.Automation;
using ImagePs.Domain;

namespace ImagePs.Commands;

/// <summary>
/// Changes an image's name, visibility, protection, whether it is hidden, minimum disk and RAM, tags and extra properties;
/// disk and container formats only while it is Queued. Read-only and reserved names are refused as
/// Glance does. The rules are in the core (<see cref="ImageChanges"/>).
/// </summary>
[Cmdlet(VerbsCommon.Set, "Image", SupportsShouldProcess = true, DefaultParameterSetName = ByIdSet)]
[OutputType(typeof(Image))]
public sealed class SetImageCommand : ImageChangeCmdlet
{
    [Parameter]
    public string? Name { get; set; }

    [Parameter]
    public ImageVisibility Visibility { get; set; }

    [Parameter]
    public bool Protected { get; set; }

    /// <summary>Glance's os_hidden: $true leaves the image out of listings and completion (it is still found by id).</summary>
    [Parameter]
    public bool Hidden { get; set; }

    [Parameter]
    public int MinDisk { get; set; }

    [Parameter]
    public int MinRam { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(DiskFormatCompleter))]
    public string? DiskFormat { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(ContainerFormatCompleter))]
    public string? ContainerFormat { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(ImageTagCompleter))]
    public string[] AddTag { get; set; } = Array.Empty<string>();

    [Parameter]
    [ArgumentCompleter(typeof(ImageTagCompleter))]
    public string[] RemoveTag { get; set; } = Array.Empty<string>();

    /// <summary>Extra properties to add or replace.</summary>
    [Parameter]
    public Hashtable? Property { get; set; }

    [Parameter]
    public string[] RemoveProperty { get; set; } = Array.Empty<string>();

    private ImageChanges? _changes;

    protected override void BeginProcessing()
    {
        _changes = new ImageChanges
        {
            Name = Name,
            Visibility = Bound(nameof(Visibility)) ? Visibility : null,
            Protected = Bound(nameof(Protected)) ? Protected : null,
            Hidden = Bound(nameof(Hidden)) ? Hidden : null,
            MinDisk = Bound(nameof(MinDisk)) ? MinDisk : null,
            MinRam = Bound(nameof(MinRam)) ? MinRam : null,
            DiskFormat = DiskFormat,
            ContainerFormat = ContainerFormat,
            AddTags = AddTag,
            RemoveTags = RemoveTag,
            RemoveProperties = RemoveProperty,
        };
        if (Property is null) return;
        foreach (var property in PropertyTable.Read(Property)) _changes.SetProperties[property.Key] = property.Value;
    }

    protected override bool Plan(Image image, out string action)
    {
        ImageService.ApplyChanges(image, _changes!);
        action = _changes!.Describe();
        return !_changes.IsEmpty;
    }

    private bool Bound(string parameter) => MyInvocation.BoundParameters.ContainsKey(parameter);
}
