using System;
using System.Collections.Generic;

namespace ImagePs;

/// <summary>
/// Who is calling: Glance's request context. Owner of a new image is the caller's project.
/// </summary>
public sealed class CallerContext
{
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
}
