using ImagePs.Policy;
using ImagePs.Settings;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Policy;

/// <summary>policy.json and policy.yaml as oslo.policy writes them, and what is refused, by line.</summary>
public class PolicyFileReaderTests
{
    private static IReadOnlyList<PolicyFileEntry> Yaml(string text) => PolicyYamlReader.Read("policy.yaml", text);

    private static ImagePsException YamlError(string text) => Assert.Throws<ImagePsException>(() => Yaml(text));

    [Fact]
    public void Reads_the_yaml_oslo_policy_generates()
    {
        var entries = Yaml("""
            ---
            # Defines the rule for the is_admin:True check.
            #"context_is_admin": "role:admin"

            "add_image": "role:admin or (role:member and project_id:%(project_id)s)"
            'publicize_image': 'role:admin or ''quoted'':%(name)s'  # trailing comment
            modify_image: rule:context_is_admin or role:member
            "prop:create": "@"
            get_images: ""
            delete_image: "!"
            escaped: "a \"b\" \\ c\u0041"
            """);

        Assert.Equal(new[] { "add_image", "publicize_image", "modify_image", "prop:create", "get_images", "delete_image", "escaped" },
            entries.Select(e => e.Name));
        Assert.Equal("role:admin or (role:member and project_id:%(project_id)s)", entries[0].Text);
        Assert.Equal("role:admin or 'quoted':%(name)s", entries[1].Text);
        Assert.Equal("rule:context_is_admin or role:member", entries[2].Text);
        Assert.Equal("@", entries[3].Text);
        Assert.Equal("", entries[4].Text);
        Assert.Equal("!", entries[5].Text);
        Assert.Equal("a \"b\" \\ cA", entries[6].Text);
        Assert.Equal(new[] { 5, 6, 7, 8, 9, 10, 11 }, entries.Select(e => e.Line));
    }

    [Fact]
    public void Reads_rules_written_over_several_lines_as_oslo_policy_users_do()
    {
        // The forms oslo.policy's documentation and deployers' policy.yaml files use for long rules.
        var entries = Yaml("""
            "context_is_admin": "role:admin"
            # a quoted rule continued on the next line
            "add_image": "rule:context_is_admin or
                (role:member and project_id:%(project_id)s)"
            modify_image: rule:context_is_admin or
              role:member
            delete_image: >
              rule:context_is_admin or
              (role:member and project_id:%(project_id)s)
            get_image: |
              role:reader or
              role:member
            get_images: >-
              role:reader
            'deactivate':
              'role:admin'
            ...
            """);

        Assert.Equal(new[] { "context_is_admin", "add_image", "modify_image", "delete_image", "get_image", "get_images", "deactivate" },
            entries.Select(e => e.Name));
        Assert.Equal("rule:context_is_admin or (role:member and project_id:%(project_id)s)", entries[1].Text);
        Assert.Equal("rule:context_is_admin or role:member", entries[2].Text);
        Assert.Equal("rule:context_is_admin or (role:member and project_id:%(project_id)s)\n", entries[3].Text);
        Assert.Equal("role:reader or\nrole:member\n", entries[4].Text);
        Assert.Equal("role:reader", entries[5].Text);
        Assert.Equal("role:admin", entries[6].Text);
        Assert.Equal(new[] { 1, 3, 5, 7, 10, 13, 15 }, entries.Select(e => e.Line));

        // Each form parses as the rule it spells.
        var rules = PolicyRules.Build(entries, "policy.yaml");
        Assert.Equal(rules.TryGet("add_image")!.Check.ToString(), rules.TryGet("delete_image")!.Check.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only comments\n# nothing else\n")]
    [InlineData("---\n")]
    [InlineData("{}")]
    public void An_empty_policy_file_has_no_rules(string text) => Assert.Empty(Yaml(text));

    [Fact]
    public void A_yaml_file_holding_a_json_object_is_read_as_json()
    {
        Assert.Equal("role:admin", Yaml("{ \"add_image\": \"role:admin\" }").Single().Text);
        var entries = Yaml("{\n  // comments, as policy.json allows\n  \"add_image\": \"role:admin\",\n  \"get_image\": \"\",\n}\n");
        Assert.Equal(new[] { ("add_image", 3), ("get_image", 4) }, entries.Select(e => (e.Name, e.Line)));
    }

    [Theory]
    [InlineData("add_image:\n", 1, "rule 'add_image' has no value")]
    [InlineData("add_image: # nothing\n", 1, "rule 'add_image' has no value")]
    [InlineData("a: '@'\nadd_image: ~\n", 2, "rule 'add_image' has no value")]
    [InlineData("add_image: @\n", 1, "quote a rule that starts with '@'")]
    [InlineData("add_image: !\n", 1, "a YAML tag ('!')")]
    [InlineData("add_image: !!str role:admin\n", 1, "a YAML tag ('tag:yaml.org,2002:str')")]
    [InlineData("add_image: [role:admin]\n", 1, "rule 'add_image': the rule must be a string")]
    [InlineData("a: '@'\nadd_image:\n  nested: role:admin\n", 3, "rule 'add_image': the rule must be a string")]
    [InlineData("[a]: x\n", 1, "a rule name must be text")]
    [InlineData("add_image: role:admin: x\n", 1, "found invalid mapping")]
    [InlineData("a: '@'\n\"add_image: role:admin\n", 2, "end of stream")]
    [InlineData("a: \"\\q\"\n", 1, "unknown escape")]
    [InlineData("a: '@'\n'': b\n", 2, "the rule name is empty")]
    [InlineData("a: '@'\nb: '!'\na: '@'\n", 3, "rule 'a' is defined twice")]
    [InlineData("base: &admin role:admin\nadd_image: *admin\n", 2, "an alias (*admin)")]
    [InlineData("a: '@'\n---\nb: '!'\n", 2, "one YAML document")]
    public void Yaml_it_cannot_read_exactly_is_refused_with_the_line(string text, int line, string reason)
    {
        var error = YamlError(text);
        Assert.Equal("InvalidPolicy", error.ErrorId);
        Assert.Contains("policy.yaml", error.Message);
        Assert.Contains($"line {line}", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Theory]
    [InlineData("- add_image\n- role:admin\n")]
    [InlineData("role:admin\n")]
    public void Yaml_that_is_not_a_mapping_is_refused(string text) =>
        Assert.Contains("one object of rule names", YamlError(text).Message);

    [Fact]
    public void Reads_json_with_the_line_of_each_rule()
    {
        var json = "{\n  // comments are allowed\n  \"add_image\": \"role:admin\",\n\n  \"get_image\": \"\"\n}\n";
        var entries = PolicyFileReader.ReadJson("policy.json", System.Text.Encoding.UTF8.GetBytes(json));
        Assert.Equal(new[] { ("add_image", "role:admin", 3), ("get_image", "", 5) }, entries.Select(e => (e.Name, e.Text, e.Line)));
    }

    [Theory]
    [InlineData("[\"add_image\"]", "one object of rule names")]
    [InlineData("{\n \"add_image\": true\n}", "line 2, rule 'add_image': the rule must be a string")]
    [InlineData("{\n \"a\": \"@\",\n \"a\": \"!\"\n}", "line 3: rule 'a' is defined twice")]
    [InlineData("{\n \"a\": \"@\"\n\n \"b\": \"!\"\n}", "line 4")]
    public void Json_it_cannot_read_is_refused_with_the_line(string json, string reason)
    {
        var error = Assert.Throws<ImagePsException>(() => PolicyFileReader.ReadJson("policy.json", System.Text.Encoding.UTF8.GetBytes(json)));
        Assert.Equal("InvalidPolicy", error.ErrorId);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void The_repository_finds_its_policy_file_and_refuses_two_or_a_missing_configured_one()
    {
        using var folder = new TestFolder();
        var repository = new RepositoryFolder(folder.Path);
        Assert.Null(repository.FindPolicyFile(RepositorySettings.Default));

        File.WriteAllText(repository.PolicyJsonPath, "{}");
        Assert.Equal(repository.PolicyJsonPath, repository.FindPolicyFile(RepositorySettings.Default));

        File.WriteAllText(repository.PolicyYamlPath, "");
        var both = Assert.Throws<ImagePsException>(() => repository.FindPolicyFile(RepositorySettings.Default));
        Assert.Equal("InvalidPolicy", both.ErrorId);
        Assert.Contains("keep one", both.Message);

        var configured = RepositorySettings.Parse("{ \"PolicyFile\": \"rules/team.yaml\" }", "imageps.json");
        var missing = Assert.Throws<ImagePsException>(() => repository.FindPolicyFile(configured));
        Assert.Contains(Path.Combine(folder.Path, "rules", "team.yaml"), missing.Message);
        Directory.CreateDirectory(Path.Combine(folder.Path, "rules"));
        File.WriteAllText(Path.Combine(folder.Path, "rules", "team.yaml"), "add_image: role:admin\n");
        Assert.Equal(Path.Combine(folder.Path, "rules", "team.yaml"), repository.FindPolicyFile(configured));
    }

    [Fact]
    public void A_broken_policy_file_stops_the_repository_from_opening()
    {
        var error = Assert.Throws<ImagePsException>(() =>
            new TestRepository(files: new Dictionary<string, string> { ["policy.yaml"] = "# team rules\nadd_image: role:member and\n" }));
        Assert.Equal("InvalidPolicy", error.ErrorId);
        Assert.Contains("line 2, rule 'add_image': a check is missing after 'and'", error.Message);
    }
}
