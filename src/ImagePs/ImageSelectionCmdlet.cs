using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace ImagePs.Commands;

/// <summary>What cmdlets that act on several images share: the images by -Id, or from the pipeline.</summary>
public abstract class ImageSelectionCmdlet : ImageCmdlet
{
    protected const string ByIdSet = "ById";
    protected const string InputObjectSet = "InputObject";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByIdSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ImageIdCompleter))]
    public Guid[] Id { get; set; } = Array.Empty<Guid>();

    [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
    public Image[] InputObject { get; set; } = Array.Empty<Image>();

    /// <summary>The ids of the images the current pipeline record names.</summary>
    protected IEnumerable<Guid> SelectedIds() =>
        ParameterSetName == InputObjectSet ? InputObject.Select(image => image.Id) : Id;
}
