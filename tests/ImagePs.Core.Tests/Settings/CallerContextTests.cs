using ImagePs.Policy;
using ImagePs.Settings;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Settings;

/// <summary>Who the caller is: imageps.json's Users map, the IMAGEPS_* overrides, admin from the policy.</summary>
public class CallerContextTests
{
    private static CallerContext Resolve(string settingsJson, Dictionary<string, string>? environment = null, PolicyRules? rules = null)
    {
        var settings = RepositorySettings.Parse(settingsJson, "imageps.json");
        var variables = environment ?? new Dictionary<string, string>();
        return CallerContext.Resolve(settings, rules ?? PolicyRules.Defaults, name => variables.TryGetValue(name, out var value) ? value : null);
    }

    [Fact]
    public void In_a_personal_repository_the_operating_system_user_administers_its_own_project()
    {
        var caller = Resolve("{}");
        Assert.Equal(Environment.UserName, caller.User);
        Assert.Equal(Environment.UserName, caller.Project);
        Assert.Equal(new[] { "admin", "member", "reader" }, caller.Roles);
        Assert.True(caller.IsAdmin);
    }

    [Fact]
    public void The_users_map_gives_project_and_roles()
    {
        const string settings = """
            { "Users": { "alice": { "Project": "infra", "Roles": ["admin", "member", "reader"] },
                         "bob": { "Roles": ["member", "reader"] },
                         "carol": { "Project": "web" } },
              "DefaultRoles": ["reader"] }
            """;
        var alice = Resolve(settings, new() { ["IMAGEPS_USER"] = "alice" });
        Assert.Equal(("alice", "infra", true), (alice.User, alice.Project, alice.IsAdmin));

        var bob = Resolve(settings, new() { ["IMAGEPS_USER"] = "bob" });
        Assert.Equal(("bob", "bob", false), (bob.User, bob.Project, bob.IsAdmin));
        Assert.Equal(new[] { "member", "reader" }, bob.Roles);

        var carol = Resolve(settings, new() { ["IMAGEPS_USER"] = "carol" }); // listed without roles: DefaultRoles
        Assert.Equal("web", carol.Project);
        Assert.Equal(new[] { "reader" }, carol.Roles);

        var stranger = Resolve(settings, new() { ["IMAGEPS_USER"] = "mallory" });
        Assert.Equal(("mallory", false), (stranger.Project, stranger.IsAdmin));
        Assert.Equal(new[] { "reader" }, stranger.Roles);
    }

    [Fact]
    public void A_user_missing_from_a_users_map_is_a_plain_member_unless_DefaultRoles_says_otherwise()
    {
        var caller = Resolve("{ \"Users\": {} }", new() { ["IMAGEPS_USER"] = "dave" });
        Assert.Equal(new[] { "member", "reader" }, caller.Roles);
        Assert.False(caller.IsAdmin);
        Assert.Empty(Resolve("{ \"Users\": {}, \"DefaultRoles\": [] }", new() { ["IMAGEPS_USER"] = "dave" }).Roles);
    }

    [Fact]
    public void The_environment_overrides_user_project_and_roles()
    {
        const string settings = """{ "Users": { "alice": { "Project": "infra", "Roles": ["admin"] } } }""";
        var caller = Resolve(settings, new() { ["IMAGEPS_USER"] = " alice ", ["IMAGEPS_PROJECT"] = "web", ["IMAGEPS_ROLES"] = " member , ,reader" });
        Assert.Equal(("alice", "web", false), (caller.User, caller.Project, caller.IsAdmin));
        Assert.Equal(new[] { "member", "reader" }, caller.Roles);

        Assert.Empty(Resolve("{}", new() { ["IMAGEPS_ROLES"] = " " }).Roles);
    }

    [Fact]
    public void Admin_is_whatever_the_policy_s_context_is_admin_rule_says()
    {
        var rules = PolicyRules.Build(new[] { new PolicyFileEntry("context_is_admin", "role:operator", 1) }, "policy.yaml");
        Assert.False(Resolve("{}", rules: rules).IsAdmin); // admin, member, reader: but not operator
        Assert.True(Resolve("{}", new() { ["IMAGEPS_ROLES"] = "operator" }, rules).IsAdmin);
    }

    [Theory]
    [InlineData("{ \"Users\": [] }", "Users")]
    [InlineData("{ \"Users\": { \"a\": \"admin\" } }", "Users.a")]
    [InlineData("{ \"Users\": { \"a\": { \"Role\": [\"admin\"] } } }", "Users.a.Role")]
    [InlineData("{ \"Users\": { \"a\": { \"Roles\": \"admin\" } } }", "Users.a.Roles")]
    [InlineData("{ \"Users\": { \"a\": { \"Roles\": [\"a,b\"] } } }", "Users.a.Roles")]
    [InlineData("{ \"Users\": { \"a\": { \"Project\": \"\" } } }", "Users.a.Project")]
    [InlineData("{ \"DefaultRoles\": [1] }", "DefaultRoles")]
    [InlineData("{ \"ImageTagQuota\": \"10\" }", "ImageTagQuota")]
    [InlineData("{ \"ImageCountQuota\": -1 }", "ImageCountQuota")]
    [InlineData("{ \"PolicyFile\": \"\" }", "PolicyFile")]
    public void Bad_governance_settings_are_refused_naming_the_key(string json, string key)
    {
        var error = Assert.Throws<ImagePsException>(() => RepositorySettings.Parse(json, "imageps.json"));
        Assert.Equal("InvalidSettings", error.ErrorId);
        Assert.Contains($"at '{key}'", error.Message);
    }

    [Fact]
    public void Quotas_default_to_Glance_s_and_take_negative_for_unlimited()
    {
        var defaults = RepositorySettings.Default;
        Assert.Equal((128, 128, 128, 10, 0), (defaults.ImageMemberQuota, defaults.ImagePropertyQuota, defaults.ImageTagQuota, defaults.ImageLocationQuota, defaults.ImageCountQuota));
        var set = RepositorySettings.Parse("{ \"ImageTagQuota\": -5, \"ImagePropertyQuota\": 0, \"ImageCountQuota\": 3 }", "imageps.json");
        Assert.Equal((-1, 0, 3), (set.ImageTagQuota, set.ImagePropertyQuota, set.ImageCountQuota));
    }

    [Fact]
    public void A_new_repository_folder_is_readable_only_by_its_owner()
    {
        if (OperatingSystem.IsWindows()) return; // Windows: the folder inherits its parent's access list
        using var folder = new TestFolder();
        var repository = new RepositoryFolder(Path.Combine(folder.Path, "new", "repo"));
        repository.EnsureCreated();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(repository.Root));

        // An existing folder keeps the permissions its owner gave it (a team may share one on purpose).
        var shared = Path.Combine(folder.Path, "shared");
        Directory.CreateDirectory(shared);
        File.SetUnixFileMode(shared, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        new RepositoryFolder(shared).EnsureCreated();
        Assert.True(File.GetUnixFileMode(shared).HasFlag(UnixFileMode.GroupRead));
    }
}
