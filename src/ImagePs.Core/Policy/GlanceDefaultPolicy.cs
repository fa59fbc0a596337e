using System.Collections.Generic;

namespace ImagePs.Policy;

/// <summary>
/// The rules in force when the policy file does not override them: Glance's own defaults
/// (glance/policies/base.py and image.py, the secure-RBAC defaults Glance enforces since 2023.2),
/// for the actions ImagePs has. On one machine a Keystone project is an ImagePs project (by default
/// the user's name) and the roles come from imageps.json (see the README).
/// </summary>
internal static class GlanceDefaultPolicy
{
    private const string Admin = "rule:context_is_admin";
    private const string ProjectMember = "role:member and project_id:%(project_id)s";
    private const string SeenByVisibility =
        "project_id:%(project_id)s or project_id:%(member_id)s or 'community':%(visibility)s " +
        "or 'public':%(visibility)s or 'shared':%(visibility)s";

    private const string AdminOrProjectMember = Admin + " or (" + ProjectMember + ")";

    public static IReadOnlyList<KeyValuePair<string, string>> Rules { get; } = new[]
    {
        Rule(PolicyActions.ContextIsAdmin, "role:admin"),
        Rule("default", ""),
        Rule(PolicyActions.AddImage, Admin + " or (" + ProjectMember + " and project_id:%(owner)s)"),
        Rule(PolicyActions.GetImage, Admin + " or (role:reader and (" + SeenByVisibility + "))"),
        Rule(PolicyActions.GetImages, Admin + " or (role:reader and project_id:%(project_id)s)"),
        Rule(PolicyActions.ModifyImage, AdminOrProjectMember),
        Rule(PolicyActions.PublicizeImage, Admin),
        Rule(PolicyActions.CommunitizeImage, AdminOrProjectMember),
        Rule(PolicyActions.UploadImage, AdminOrProjectMember),
        Rule(PolicyActions.DownloadImage, Admin + " or (role:member and (" + SeenByVisibility + "))"),
        Rule(PolicyActions.DeleteImage, AdminOrProjectMember),
        Rule(PolicyActions.Deactivate, AdminOrProjectMember),
        Rule(PolicyActions.Reactivate, AdminOrProjectMember),
        Rule(PolicyActions.AddMember, AdminOrProjectMember),
        Rule(PolicyActions.DeleteMember, AdminOrProjectMember),
        Rule(PolicyActions.GetMember, Admin + " or role:reader and (project_id:%(project_id)s or project_id:%(member_id)s)"),
        Rule(PolicyActions.GetMembers, Admin + " or role:reader and (project_id:%(project_id)s or project_id:%(member_id)s)"),
        Rule(PolicyActions.ModifyMember, Admin + " or (role:member and project_id:%(member_id)s)"),
        // ImagePs's own: verifying reads the data as a download does, so the same callers may.
        Rule(PolicyActions.VerifyImage, "rule:" + PolicyActions.DownloadImage),
        Rule(PolicyActions.RestoreImage, AdminOrProjectMember),
    };

    private static KeyValuePair<string, string> Rule(string name, string text) => new(name, text);
}
