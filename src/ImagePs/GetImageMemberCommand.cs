using System;
using System.Management.Automation;

namespace ImagePs.Commands;

/// <summary>
/// Lists an image's members: all of them for the owner, only its own membership for a member
/// project. With -MemberId, gets those memberships (ImageMemberNotFound for one that does not exist).
/// </summary>
[Cmdlet(VerbsCommon.Get, "ImageMember")]
[OutputType(typeof(ImageMember))]
public sealed class GetImageMemberCommand : ImageCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    public Guid ImageId { get; set; }

    [Parameter(Position = 1)]
    [Alias("Member", "Project")]
    public string[]? MemberId { get; set; }

    protected override void ProcessRecord()
    {
        if (MemberId is null)
        {
            TryRun(() => WriteObject(Service.GetMembers(ImageId), enumerateCollection: true), () => ImageId);
            return;
        }
        foreach (var member in MemberId) TryRun(() => WriteObject(Service.GetMember(ImageId, member)), () => member);
    }
}
