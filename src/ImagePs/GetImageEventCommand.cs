using System;
using System.Collections.Generic;
using System.Management.Automation;
using ImagePs.Events;

namespace ImagePs.Commands;

/// <summary>
/// Reads the repository's events log (Glance's notifications: image.create, image.upload,
/// image.member.update, ...), oldest first: by image (also from the pipeline), event type
/// (wildcards), time window and the last N.
/// </summary>
[Cmdlet(VerbsCommon.Get, "ImageEvent")]
[OutputType(typeof(ImageEvent))]
public sealed class GetImageEventCommand : ImageCmdlet
{
    private readonly List<Guid> _imageIds = new();

    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    public Guid[]? ImageId { get; set; }

    [Parameter]
    [SupportsWildcards]
    public string[]? EventType { get; set; }

    /// <summary>Events at or after this time (local unless it says otherwise).</summary>
    [Parameter]
    public DateTime Since { get; set; }

    /// <summary>Events at or before this time.</summary>
    [Parameter]
    public DateTime Until { get; set; }

    /// <summary>Only the last N matching events.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Last { get; set; }

    protected override void ProcessRecord()
    {
        if (ImageId is not null) _imageIds.AddRange(ImageId);
    }

    protected override void EndProcessing()
    {
        var bound = MyInvocation.BoundParameters;
        var query = new ImageEventQuery
        {
            ImageIds = _imageIds.Count > 0 ? _imageIds : null,
            EventTypes = EventType,
            Since = bound.ContainsKey(nameof(Since)) ? Since : null,
            Until = bound.ContainsKey(nameof(Until)) ? Until : null,
            Last = bound.ContainsKey(nameof(Last)) ? Last : null,
        };
        try
        {
            WriteObject(Service.FindEvents(query), enumerateCollection: true);
        }
        catch (ImagePsException e)
        {
            ThrowTerminatingError(ErrorRecords.From(e, e.Target));
        }
    }
}
