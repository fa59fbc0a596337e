using System;
using System.Management.Automation;

namespace ImagePs.Commands;

/// <summary>What cmdlets that act on one image at a time share: the image by -Id, or from the pipeline.</summary>
public abstract class OneImageCmdlet : ImageCmdlet
{
    protected const string ByIdSet = "ById";
    protected const string InputObjectSet = "InputObject";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByIdSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ImageIdCompleter))]
    public Guid Id { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
    public Image? InputObject { get; set; }

    /// <summary>The id of the image the current pipeline record names.</summary>
    protected Guid SelectedId => InputObject?.Id ?? Id;

    /// <summary>The image for -WhatIf and -Confirm: the piped one as it was read, or "name (id)" read now.</summary>
    protected string SelectedTarget => InputObject?.ToString() ?? DescribeImage(Id);

    /// <summary>An error's target when the image cannot be read: the piped image, or the id.</summary>
    protected object SelectedObject => (object?)InputObject ?? Id;
}
