using System;
using System.Management.Automation;

namespace ImagePs.Commands;

/// <summary>
/// Shares a shared image with other projects (Glance's image members). Each new membership is
/// Pending until the member project accepts it with Set-ImageMember.
/// </summary>
[Cmdlet(VerbsCommon.Add, "ImageMember", SupportsShouldProcess = true)]
[OutputType(typeof(ImageMember))]
public sealed class AddImageMemberCommand : ImageCmdlet
{
    private protected override bool ChangesRepository => true;

    /// <summary>The image; images from Get-Image bind by their Id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    public Guid ImageId { get; set; }

    /// <summary>The projects to share the image with.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [Alias("Member", "Project")]
    public string[] MemberId { get; set; } = Array.Empty<string>();

    protected override void ProcessRecord()
    {
        foreach (var member in MemberId)
        {
            if (!ShouldProcess(ImageId.ToString(), string.Format(Messages.ActionAddMember, member))) continue;
            TryRun(() => WriteObject(Service.AddMember(ImageId, member)), () => member);
        }
    }
}
