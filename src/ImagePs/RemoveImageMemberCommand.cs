using System;
using System.Management.Automation;

namespace ImagePs.Commands;

/// <summary>Stops sharing an image with projects (the owner's, or an admin's, decision).</summary>
[Cmdlet(VerbsCommon.Remove, "ImageMember", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(void))]
public sealed class RemoveImageMemberCommand : ImageCmdlet
{
    private protected override bool ChangesRepository => true;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    public Guid ImageId { get; set; }

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("Member", "Project")]
    public string[] MemberId { get; set; } = Array.Empty<string>();

    protected override void ProcessRecord()
    {
        foreach (var member in MemberId)
        {
            if (!ShouldProcess(ImageId.ToString(), string.Format(Messages.ActionRemoveMember, member))) continue;
            TryRun(() => Service.RemoveMember(ImageId, member), () => member);
        }
    }
}
