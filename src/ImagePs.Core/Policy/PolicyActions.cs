namespace ImagePs.Policy;

/// <summary>The policy rule names ImagePs enforces: Glance's names for the same actions.</summary>
internal static class PolicyActions
{
    public const string AddImage = "add_image";
    public const string GetImage = "get_image";
    public const string GetImages = "get_images";
    public const string ModifyImage = "modify_image";
    public const string PublicizeImage = "publicize_image";
    public const string CommunitizeImage = "communitize_image";
    public const string UploadImage = "upload_image";
    public const string DownloadImage = "download_image";
    public const string DeleteImage = "delete_image";
    public const string Deactivate = "deactivate";
    public const string Reactivate = "reactivate";
    public const string AddMember = "add_member";
    public const string GetMember = "get_member";
    public const string GetMembers = "get_members";
    public const string ModifyMember = "modify_member";
    public const string DeleteMember = "delete_member";

    /// <summary>Test-Image (ImagePs's own; Glance has no verify action): by default whoever may download the image.</summary>
    public const string VerifyImage = "verify_image";
    /// <summary>Restore-Image: a PendingDelete image back to its status (Glance has glance-scrubber --restore, for admins, and no rule).</summary>
    public const string RestoreImage = "restore_image";

    /// <summary>The rule that decides whether a caller is an administrator (Glance's is_admin).</summary>
    public const string ContextIsAdmin = "context_is_admin";
}
