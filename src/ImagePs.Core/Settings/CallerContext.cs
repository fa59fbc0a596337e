using System;
using System.Collections.Generic;
using System.Linq;
using ImagePs.Policy;

namespace ImagePs.Settings;

/// <summary>
/// Who is calling: Glance's request context. Owner of a new image is the caller's project.
/// </summary>
internal sealed class CallerContext
{
    /// <summary>Acts as this user instead of the operating-system user (automation, tests; not a security boundary).</summary>
    public const string UserVariable = "IMAGEPS_USER";

    /// <summary>Acts in this project instead of the user's own.</summary>
    public const string ProjectVariable = "IMAGEPS_PROJECT";

    /// <summary>Acts with these roles (comma-separated) instead of those imageps.json gives the user.</summary>
    public const string RolesVariable = "IMAGEPS_ROLES";

    /// <summary>Roles of the user of a personal repository (no <c>Users</c> map): it administers its own images.</summary>
    public static IReadOnlyList<string> PersonalRepositoryRoles { get; } = new[] { "admin", "member", "reader" };

    /// <summary>Roles of a user missing from the <c>Users</c> map of a shared repository, unless <c>DefaultRoles</c> says otherwise.</summary>
    public static IReadOnlyList<string> SharedRepositoryRoles { get; } = new[] { "member", "reader" };

    public CallerContext(string user, string? project = null, IReadOnlyList<string>? roles = null, bool isAdmin = false)
    {
        User = user;
        Project = project ?? user;
        Roles = roles ?? Array.Empty<string>();
        IsAdmin = isAdmin;
    }

    public string User { get; }
    public string Project { get; }
    public IReadOnlyList<string> Roles { get; }
    public bool IsAdmin { get; }

    /// <summary>The operating-system user, in a project of the same name.</summary>
    public static CallerContext FromEnvironment() => new(Environment.UserName);

    public override string ToString() =>
        string.Format(Messages.CallerDescription, User, Project, Roles.Count == 0 ? Messages.CallerNoRoles : string.Join(", ", Roles));

    /// <summary>
    /// The caller as the repository sees it: the user (<c>IMAGEPS_USER</c>, else the operating-system
    /// user), the project and roles the <c>Users</c> map of imageps.json gives it (overridden by
    /// <c>IMAGEPS_PROJECT</c> / <c>IMAGEPS_ROLES</c>), and admin when the policy's
    /// <c>context_is_admin</c> rule says so, as Glance decides is_admin.
    /// </summary>
    internal static CallerContext Resolve(RepositorySettings settings, PolicyRules rules, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var user = NonBlank(environment(UserVariable)) ?? Environment.UserName;
        var entry = FindUser(settings, user);
        var project = NonBlank(environment(ProjectVariable)) ?? entry?.Project ?? user;
        var roles = ParseRoles(environment(RolesVariable))
                    ?? entry?.Roles
                    ?? settings.DefaultRoles
                    ?? (settings.UsersConfigured ? SharedRepositoryRoles : PersonalRepositoryRoles);

        var candidate = new CallerContext(user, project, roles);
        var isAdmin = rules.Allows(PolicyActions.ContextIsAdmin, PolicyCredentials.Of(candidate), PolicyTarget.ForCaller(candidate));
        return new CallerContext(user, project, roles, isAdmin);
    }

    private static RepositoryUser? FindUser(RepositorySettings settings, string user)
    {
        if (settings.Users.TryGetValue(user, out var exact)) return exact;
        var folded = settings.Users.Values.Where(u => string.Equals(u.Name, user, StringComparison.OrdinalIgnoreCase)).ToList();
        return folded.Count == 1 ? folded[0] : null;
    }

    private static IReadOnlyList<string>? ParseRoles(string? value) =>
        value?.Split(',').Select(r => r.Trim()).Where(r => r.Length > 0).ToArray();

    private static string? NonBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value!.Trim();
}
