using ImagePs.Domain;
using ImagePs.Policy;
using ImagePs.Settings;
using Xunit;

namespace ImagePs.Tests.Policy;

/// <summary>oslo.policy's rule language: every check kind, precedence, parentheses, and clear errors.</summary>
public class PolicyRuleParserTests
{
    private static readonly CallerContext Caller = new("alice", "infra", new[] { "Member", "reader" });

    private static bool Evaluate(string rule, CallerContext? caller = null, Image? image = null)
    {
        caller ??= Caller;
        var rules = PolicyRules.Build(new[] { new PolicyFileEntry("under_test", rule, 1) }, "test.yaml");
        var target = image is null ? PolicyTarget.ForCaller(caller) : PolicyTarget.ForImage(image, caller);
        return rules.Allows("under_test", PolicyCredentials.Of(caller), target);
    }

    private static bool Roles(string rule, bool a, bool b, bool c)
    {
        var roles = new List<string>();
        if (a) roles.Add("a");
        if (b) roles.Add("b");
        if (c) roles.Add("c");
        return Evaluate(rule, new CallerContext("u", "p", roles));
    }

    private static Image SharedImage(string owner, ImageVisibility visibility = ImageVisibility.Shared)
    {
        var image = new ImageFactory(new CallerContext("x", owner)).NewImage(new ImageDraft { Name = "img", Visibility = visibility });
        image.SetProperty("os_distro", "debian");
        return image;
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("@", true)]
    [InlineData("!", false)]
    [InlineData("role:member", true)]
    [InlineData("role:MEMBER", true)]
    [InlineData("role:admin", false)]
    [InlineData("roles:reader", true)]
    [InlineData("user_id:alice", true)]
    [InlineData("user_id:Alice", false)]
    [InlineData("project_id:infra", true)]
    [InlineData("is_admin:True", false)]
    [InlineData("is_admin:False", true)]
    [InlineData("project_id:%(project_id)s", true)]
    [InlineData("project_id:%(owner)s", true)]
    [InlineData("'private':%(visibility)s", true)]
    [InlineData("\"private\":%(visibility)s", true)]
    [InlineData("'public':%(visibility)s", false)]
    [InlineData("project_id:%(no_such_field)s", false)]
    [InlineData("role:%(no_such_field)s", false)]
    [InlineData("not role:admin", true)]
    [InlineData("NOT role:member", false)]
    [InlineData("role:member AND role:reader", true)]
    [InlineData("role:admin Or role:reader", true)]
    public void Each_kind_of_check_evaluates_as_oslo_policy(string rule, bool expected) =>
        Assert.Equal(expected, Evaluate(rule));

    [Fact]
    public void Fields_of_the_image_fill_the_placeholders()
    {
        var image = SharedImage("web");
        var member = new CallerContext("bob", "db", new[] { "member" });
        Assert.True(Evaluate("project_id:%(member_id)s", member, image)); // a shared image seen by another project
        Assert.False(Evaluate("project_id:%(project_id)s", member, image));
        Assert.True(Evaluate("'debian':%(os_distro)s", member, image)); // extra properties are fields too
        Assert.True(Evaluate("'False':%(protected)s", member, image));
        Assert.True(Evaluate("'queued':%(status)s", member, image));
        Assert.True(Evaluate("'web-x':%(project_id)s-x", member, image)); // literal text around a field
        Assert.False(Evaluate("'web':%(project_id)s-x", member, image));
        Assert.True(Evaluate("'100%':100%%", member, image));

        var owner = new CallerContext("carol", "web", new[] { "member" });
        Assert.False(Evaluate("project_id:%(member_id)s", owner, image)); // no member_id for the owner
        Assert.False(Evaluate("project_id:%(member_id)s", member, SharedImage("web", ImageVisibility.Private)));
    }

    [Theory]
    [InlineData("role:a or role:b and role:c")]
    [InlineData("role:a and role:b or role:c")]
    [InlineData("not role:a or role:b")]
    [InlineData("not role:a and role:b")]
    [InlineData("not (role:a or role:b)")]
    [InlineData("(role:a or role:b) and role:c")]
    [InlineData("role:a and not role:b and role:c")]
    [InlineData("not not role:a")]
    [InlineData("((role:a or (role:b)) and (not role:c))")]
    [InlineData("role:a or role:b or role:c and not role:a")]
    public void Not_binds_tighter_than_and_which_binds_tighter_than_or(string rule)
    {
        Func<bool, bool, bool, bool> expected = rule switch
        {
            "role:a or role:b and role:c" => (a, b, c) => a || (b && c),
            "role:a and role:b or role:c" => (a, b, c) => (a && b) || c,
            "not role:a or role:b" => (a, b, _) => !a || b,
            "not role:a and role:b" => (a, b, _) => !a && b,
            "not (role:a or role:b)" => (a, b, _) => !(a || b),
            "(role:a or role:b) and role:c" => (a, b, c) => (a || b) && c,
            "role:a and not role:b and role:c" => (a, b, c) => a && !b && c,
            "not not role:a" => (a, _, _) => a,
            "((role:a or (role:b)) and (not role:c))" => (a, b, c) => (a || b) && !c,
            _ => (a, b, c) => a || b || (c && !a),
        };
        foreach (var a in new[] { false, true })
        foreach (var b in new[] { false, true })
        foreach (var c in new[] { false, true })
            Assert.True(expected(a, b, c) == Roles(rule, a, b, c), $"{rule} with a={a} b={b} c={c}");
    }

    [Fact]
    public void A_rule_can_use_another_rule()
    {
        var rules = PolicyRules.Build(new[]
        {
            new PolicyFileEntry("is_operator", "role:operator or rule:context_is_admin", 1),
            new PolicyFileEntry("delete_image", "rule:is_operator and not 'True':%(protected)s", 2),
        }, "policy.yaml");
        var operatorCaller = new CallerContext("op", "ops", new[] { "operator" });
        var image = SharedImage("web");
        Assert.True(rules.Allows("delete_image", PolicyCredentials.Of(operatorCaller), PolicyTarget.ForImage(image, operatorCaller)));
        Assert.False(rules.Allows("delete_image", PolicyCredentials.Of(Caller), PolicyTarget.ForImage(image, Caller)));
        // the defaults the file did not replace are still in force
        Assert.Equal(GlanceDefaultPolicy.Rules.Single(r => r.Key == "get_images").Value, rules.TryGet("get_images")!.Text);
    }

    [Theory]
    [InlineData("role:a and", "a check is missing after 'and'", 8)]
    [InlineData("and role:a", "a check is missing before 'and'", 1)]
    [InlineData("role:a or or role:b", "a check is missing before 'or'", 11)]
    [InlineData("role:a role:b", "'and' or 'or' is missing before 'role:b'", 8)]
    [InlineData("(role:a or role:b", "this '(' is never closed", 1)]
    [InlineData("role:a)", "this ')' has no matching '('", 7)]
    [InlineData("role:a and ()", "the parentheses are empty", 12)]
    [InlineData("role:a and (not)", "a check is missing before this ')'", 16)]
    [InlineData("not", "a check is missing after 'not'", 1)]
    [InlineData("admin", "'admin' is not a check", 1)]
    [InlineData("role:", "'role:' is not a check", 1)]
    [InlineData("projct_id:%(project_id)s", "'projct_id' in 'projct_id:%(project_id)s' is not a kind of check", 1)]
    [InlineData("http://example.com/check", "'http' in", 1)]
    [InlineData("'community'", "is a quoted string, not a check", 1)]
    [InlineData("project_id:%(project_id", "must start a field as %(name)s", 12)]
    [InlineData("project_id:50%", "must start a field as %(name)s", 14)]
    [InlineData("project_id:%()s", "must start a field as %(name)s", 12)]
    [InlineData("rule:%(x)s", "'rule:' needs a rule name", 6)]
    [InlineData("   ", "only white space", 1)]
    public void A_malformed_rule_is_refused_naming_the_line_the_rule_and_the_position(string rule, string reason, int position)
    {
        var error = Assert.Throws<ImagePsException>(() =>
            PolicyRules.Build(new[] { new PolicyFileEntry("modify_image", rule, 7) }, "/repo/policy.yaml"));
        Assert.Equal("InvalidPolicy", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, error.Kind);
        Assert.Contains("/repo/policy.yaml", error.Message);
        Assert.Contains("line 7, rule 'modify_image'", error.Message);
        Assert.Contains(reason, error.Message);
        Assert.Contains($"at character {position} of", error.Message);
    }

    [Fact]
    public void A_reference_to_an_undefined_rule_is_refused_naming_both()
    {
        var error = Assert.Throws<ImagePsException>(() => PolicyRules.Build(new[]
        {
            new PolicyFileEntry("add_image", "rule:context_is_admin or rule:is_owner", 3),
        }, "policy.yaml"));
        Assert.Equal("InvalidPolicy", error.ErrorId);
        Assert.Contains("line 3, rule 'add_image'", error.Message);
        Assert.Contains("rule:is_owner, which is not defined", error.Message);
    }

    [Fact]
    public void Rules_referring_to_each_other_in_a_loop_are_refused()
    {
        var error = Assert.Throws<ImagePsException>(() => PolicyRules.Build(new[]
        {
            new PolicyFileEntry("a", "rule:b or role:x", 1),
            new PolicyFileEntry("b", "not rule:c", 2),
            new PolicyFileEntry("c", "rule:a", 3),
        }, "policy.yaml"));
        Assert.Equal("InvalidPolicy", error.ErrorId);
        Assert.Contains("a -> b -> c -> a", error.Message);
    }

    [Fact]
    public void Glance_default_rules_all_parse_and_refer_to_defined_rules()
    {
        var rules = PolicyRules.Defaults;
        foreach (var name in new[]
                 {
                     "add_image", "get_image", "get_images", "modify_image", "publicize_image", "communitize_image", "upload_image",
                     "download_image", "delete_image", "deactivate", "reactivate", "add_member", "get_member", "get_members",
                     "modify_member", "delete_member", "context_is_admin", "default",
                 })
            Assert.NotNull(rules.TryGet(name));
    }
}
