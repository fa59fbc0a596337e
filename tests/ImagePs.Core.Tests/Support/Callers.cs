using ImagePs.Settings;

namespace ImagePs.Tests.Support;

/// <summary>Callers as imageps.json would give them: Glance's reader, member and admin roles.</summary>
internal static class Callers
{
    public static CallerContext Admin(string project = "admins") => new("admin-user", project, new[] { "admin", "member", "reader" }, isAdmin: true);

    public static CallerContext Member(string project) => new("user-" + project, project, new[] { "member", "reader" });

    public static CallerContext Reader(string project) => new("reader-" + project, project, new[] { "reader" });

    public static CallerContext WithRoles(string project, params string[] roles) => new("user-" + project, project, roles);
}
