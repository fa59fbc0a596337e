using System;
using System.Collections.Generic;
using ImagePs.Settings;

namespace ImagePs.Policy;

/// <summary>
/// What a rule may ask about the caller (oslo.context's policy values): <c>user_id</c>,
/// <c>project_id</c>, <c>roles</c> and <c>is_admin</c> (<c>True</c>/<c>False</c>, as Python prints it).
/// </summary>
internal sealed class PolicyCredentials
{
    private readonly Dictionary<string, IReadOnlyList<string>> _values;

    public PolicyCredentials(string userId, string projectId, IReadOnlyList<string> roles, bool isAdmin)
    {
        Roles = roles;
        _values = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
        {
            ["user_id"] = new[] { userId },
            ["project_id"] = new[] { projectId },
            ["roles"] = roles,
            ["is_admin"] = new[] { isAdmin ? "True" : "False" },
        };
    }

    public static PolicyCredentials Of(CallerContext caller) => new(caller.User, caller.Project, caller.Roles, caller.IsAdmin);

    public IReadOnlyList<string> Roles { get; }

    /// <summary>The credential's values (one, or every role for <c>roles</c>); none for an unknown name.</summary>
    public IReadOnlyList<string> Values(string name) =>
        _values.TryGetValue(name, out var values) ? values : Array.Empty<string>();
}
