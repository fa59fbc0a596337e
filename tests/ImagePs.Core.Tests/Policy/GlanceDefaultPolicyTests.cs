using ImagePs.Domain;
using ImagePs.Policy;
using ImagePs.Settings;
using Xunit;

namespace ImagePs.Tests.Policy;

/// <summary>
/// Glance's secure-RBAC defaults as ImagePs evaluates them, caller by caller: an admin, a member and
/// a reader of the owning project, a member and a reader of another project.
/// </summary>
public class GlanceDefaultPolicyTests
{
    private static readonly CallerContext Admin = new("root", "ops", new[] { "admin", "member", "reader" }, isAdmin: true);
    private static readonly CallerContext OwnerMember = new("ann", "web", new[] { "member", "reader" });
    private static readonly CallerContext OwnerReader = new("rob", "web", new[] { "reader" });
    private static readonly CallerContext OtherMember = new("bob", "db", new[] { "member", "reader" });
    private static readonly CallerContext OtherReader = new("ray", "db", new[] { "reader" });
    private static readonly CallerContext NoRoles = new("guest", "web", Array.Empty<string>());

    private static readonly Dictionary<string, CallerContext> ByName = new()
    {
        ["admin"] = Admin, ["ownerMember"] = OwnerMember, ["ownerReader"] = OwnerReader,
        ["otherMember"] = OtherMember, ["otherReader"] = OtherReader, ["noRoles"] = NoRoles,
    };

    private static bool Allows(string action, string caller, ImageVisibility visibility)
    {
        var who = ByName[caller];
        var image = new ImageFactory(new CallerContext("ann", "web")).NewImage(new ImageDraft { Name = "x", Visibility = visibility });
        return PolicyRules.Defaults.Allows(action, PolicyCredentials.Of(who), PolicyTarget.ForImage(image, who));
    }

    [Theory]
    // get_image: readers of the owner, and readers anywhere for public/community/shared (visibility narrows the rest)
    [InlineData("get_image", "admin", ImageVisibility.Private, true)]
    [InlineData("get_image", "ownerReader", ImageVisibility.Private, true)]
    [InlineData("get_image", "otherReader", ImageVisibility.Private, false)]
    [InlineData("get_image", "otherReader", ImageVisibility.Public, true)]
    [InlineData("get_image", "otherReader", ImageVisibility.Community, true)]
    [InlineData("get_image", "otherReader", ImageVisibility.Shared, true)]
    [InlineData("get_image", "noRoles", ImageVisibility.Public, false)]
    // download_image: as get_image, but members only
    [InlineData("download_image", "ownerMember", ImageVisibility.Private, true)]
    [InlineData("download_image", "ownerReader", ImageVisibility.Private, false)]
    [InlineData("download_image", "otherMember", ImageVisibility.Public, true)]
    [InlineData("download_image", "otherMember", ImageVisibility.Private, false)]
    [InlineData("download_image", "otherReader", ImageVisibility.Public, false)]
    // changes: admin, or a member of the owning project
    [InlineData("modify_image", "ownerMember", ImageVisibility.Private, true)]
    [InlineData("modify_image", "ownerReader", ImageVisibility.Private, false)]
    [InlineData("modify_image", "otherMember", ImageVisibility.Public, false)]
    [InlineData("modify_image", "admin", ImageVisibility.Public, true)]
    [InlineData("upload_image", "ownerMember", ImageVisibility.Shared, true)]
    [InlineData("upload_image", "otherMember", ImageVisibility.Shared, false)]
    [InlineData("delete_image", "ownerMember", ImageVisibility.Private, true)]
    [InlineData("delete_image", "ownerReader", ImageVisibility.Private, false)]
    [InlineData("restore_image", "ownerMember", ImageVisibility.Private, true)]
    [InlineData("restore_image", "admin", ImageVisibility.Private, true)]
    [InlineData("restore_image", "ownerReader", ImageVisibility.Private, false)]
    [InlineData("restore_image", "otherMember", ImageVisibility.Public, false)]
    [InlineData("deactivate", "ownerMember", ImageVisibility.Private, true)]
    [InlineData("reactivate", "otherMember", ImageVisibility.Public, false)]
    [InlineData("communitize_image", "ownerMember", ImageVisibility.Private, true)]
    [InlineData("communitize_image", "otherMember", ImageVisibility.Private, false)]
    // publicize_image: admin only
    [InlineData("publicize_image", "ownerMember", ImageVisibility.Private, false)]
    [InlineData("publicize_image", "admin", ImageVisibility.Private, true)]
    // members: the owner's members manage, the member project reads and accepts
    [InlineData("add_member", "ownerMember", ImageVisibility.Shared, true)]
    [InlineData("add_member", "otherMember", ImageVisibility.Shared, false)]
    [InlineData("delete_member", "ownerReader", ImageVisibility.Shared, false)]
    [InlineData("get_members", "ownerReader", ImageVisibility.Shared, true)]
    [InlineData("get_member", "otherReader", ImageVisibility.Shared, true)]
    [InlineData("get_member", "otherReader", ImageVisibility.Private, false)]
    [InlineData("modify_member", "otherMember", ImageVisibility.Shared, true)]
    [InlineData("modify_member", "otherReader", ImageVisibility.Shared, false)]
    [InlineData("modify_member", "ownerMember", ImageVisibility.Shared, false)]
    [InlineData("modify_member", "admin", ImageVisibility.Shared, true)]
    public void Defaults_decide_like_Glance(string action, string caller, ImageVisibility visibility, bool expected) =>
        Assert.Equal(expected, Allows(action, caller, visibility));

    [Theory]
    [InlineData("ownerMember", "web", true)]
    [InlineData("ownerReader", "web", false)]
    [InlineData("noRoles", "web", false)]
    [InlineData("admin", "ops", true)]
    public void Creating_needs_a_member_of_the_caller_s_own_project(string caller, string project, bool expected)
    {
        var who = ByName[caller];
        Assert.Equal(project, who.Project);
        Assert.Equal(expected, PolicyRules.Defaults.Allows("add_image", PolicyCredentials.Of(who), PolicyTarget.ForCaller(who)));
        Assert.Equal(who != NoRoles, PolicyRules.Defaults.Allows("get_images", PolicyCredentials.Of(who), PolicyTarget.ForCaller(who)));
    }

    [Fact]
    public void An_admin_is_whoever_holds_the_admin_role()
    {
        Assert.True(PolicyRules.Defaults.Allows("context_is_admin", PolicyCredentials.Of(new CallerContext("x", roles: new[] { "Admin" })), PolicyTarget.ForCaller(NoRoles)));
        Assert.False(PolicyRules.Defaults.Allows("context_is_admin", PolicyCredentials.Of(OwnerMember), PolicyTarget.ForCaller(NoRoles)));
    }
}
