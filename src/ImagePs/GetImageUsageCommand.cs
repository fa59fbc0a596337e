using System.Management.Automation;

namespace ImagePs.Commands;

/// <summary>
/// Glance's /v2/info/usage: per owner, ImageCount, UploadingCount and StorageUsed with the
/// ImageCountQuota / UserStorageQuota limits. An administrator sees every owner, anyone else its own project.
/// </summary>
[Cmdlet(VerbsCommon.Get, "ImageUsage")]
[OutputType(typeof(ImageUsage))]
public sealed class GetImageUsageCommand : ImageCmdlet
{
    /// <summary>Only these owning projects (exact names); an administrator may name any project.</summary>
    [Parameter(Position = 0)]
    [Alias("Project")]
    public string[]? Owner { get; set; }

    protected override void EndProcessing() =>
        TryRun(() => WriteObject(Service.GetUsage(Owner), enumerateCollection: true), () => Owner);
}
