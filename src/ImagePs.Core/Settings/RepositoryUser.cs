using System.Collections.Generic;

namespace ImagePs.Settings;

/// <summary>One entry of the <c>Users</c> map in imageps.json: the user's project and roles.</summary>
internal sealed class RepositoryUser
{
    public RepositoryUser(string name, string? project, IReadOnlyList<string>? roles)
    {
        Name = name;
        Project = project;
        Roles = roles;
    }

    public string Name { get; }

    /// <summary>The user's project; null: a project named after the user.</summary>
    public string? Project { get; }

    /// <summary>The user's roles; null: <c>DefaultRoles</c>.</summary>
    public IReadOnlyList<string>? Roles { get; }
}
