using System.Management.Automation;

namespace ImagePs.Commands;

/// <summary>
/// Accepts or rejects (or resets to Pending) a membership: the member project's decision. Without
/// -MemberId it is the caller's own project's membership.
/// </summary>
[Cmdlet(VerbsCommon.Set, "ImageMember", SupportsShouldProcess = true)]
[OutputType(typeof(ImageMember))]
public sealed class SetImageMemberCommand : ImageCmdlet
{
    private protected override bool ChangesRepository => true;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    public System.Guid ImageId { get; set; }

    /// <summary>The member project; default: the caller's project.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Member", "Project")]
    public string? MemberId { get; set; }

    [Parameter(Mandatory = true, Position = 1)]
    public ImageMemberStatus Status { get; set; }

    /// <summary>Emits the updated membership.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var member = MemberId ?? Service.Caller.Project;
        if (!ShouldProcess(ImageId.ToString(), string.Format(Messages.ActionSetMember, member, Status))) return;
        TryRun(() =>
        {
            var updated = Service.SetMemberStatus(ImageId, member, Status);
            if (PassThru) WriteObject(updated);
        }, () => member);
    }
}
