using ImagePs.Policy;
using Xunit;

namespace ImagePs.Tests.Policy;

/// <summary>
/// Rules nested or chained far deeper than any real policy used to abort pwsh with a stack
/// overflow; past 100 levels they are refused as InvalidPolicy naming the file and the line.
/// </summary>
public class PolicyLimitsTests
{
    private static ImagePsException Refused(string json)
    {
        var error = Assert.Throws<ImagePsException>(() =>
            PolicyRules.Build(PolicyFileReader.ReadJson("policy.json", System.Text.Encoding.UTF8.GetBytes(json)), "policy.json"));
        Assert.Equal("InvalidPolicy", error.ErrorId);
        Assert.Contains("policy.json", error.Message);
        return error;
    }

    [Theory]
    [InlineData("(", ")")]
    [InlineData("not ", "")]
    public void A_rule_nested_20000_deep_is_refused(string open, string close)
    {
        var rule = string.Concat(Enumerable.Repeat(open, 20000)) + "role:admin" + string.Concat(Enumerable.Repeat(close, 20000));
        var error = Refused("{\n\"get_image\": \"" + rule + "\"\n}");
        Assert.Contains("line 2", error.Message);
        Assert.Contains("100 levels", error.Message);
    }

    [Fact]
    public void Nesting_100_deep_is_accepted()
    {
        var rule = string.Concat(Enumerable.Repeat("(", 100)) + "role:admin" + string.Concat(Enumerable.Repeat(")", 100));
        var rules = PolicyRules.Build(new[] { new PolicyFileEntry("get_image", rule, 1) }, "policy.json");
        Assert.NotNull(rules.TryGet("get_image"));
    }

    [Fact]
    public void A_chain_of_100000_rules_is_refused()
    {
        var lines = Enumerable.Range(0, 100000).Select(i => $"\"r{i}\": \"rule:r{i + 1}\",").Append("\"r100000\": \"@\"");
        var error = Refused("{\n" + string.Join("\n", lines) + "\n}");
        Assert.Contains("more than 100", error.Message);
        Assert.Matches(@"line \d+", error.Message);
    }

    [Fact]
    public void A_chain_of_100_rules_is_accepted_and_evaluated()
    {
        var entries = Enumerable.Range(0, 99).Select(i => new PolicyFileEntry($"r{i}", $"rule:r{i + 1}", i + 1))
            .Append(new PolicyFileEntry("r99", "@", 100)).ToList();
        var rules = PolicyRules.Build(entries, "policy.json");
        Assert.NotNull(rules.TryGet("r0"));
    }

    private static ImagePsException RefusedYaml(string yaml)
    {
        var error = Assert.Throws<ImagePsException>(() => PolicyRules.Build(PolicyYamlReader.Read("policy.yaml", yaml), "policy.yaml"));
        Assert.Equal("InvalidPolicy", error.ErrorId);
        Assert.Contains("policy.yaml", error.Message);
        return error;
    }

    [Fact]
    public void A_yaml_rule_nested_20000_deep_is_refused()
    {
        var rule = string.Concat(Enumerable.Repeat("(", 20000)) + "role:admin" + string.Concat(Enumerable.Repeat(")", 20000));
        var error = RefusedYaml("# team rules\nget_image: '" + rule + "'\n");
        Assert.Contains("line 2", error.Message);
        Assert.Contains("100 levels", error.Message);
    }

    [Theory]
    [InlineData("get_image: ", "[", "]", "the rule must be a string")]
    [InlineData("get_image: ", "{a: ", "}", "the rule must be a string")]
    [InlineData("# not json\n", "{", "}", "a rule name must be text")]
    [InlineData("# not json\n", "[", "]", "one object of rule names")]
    [InlineData("", "- ", "", "one object of rule names")]
    public void Yaml_nested_20000_deep_is_refused_where_the_nesting_starts(string prefix, string open, string close, string reason)
    {
        // The walk reads parser events and refuses a nested value where it opens: nothing recurses.
        var error = RefusedYaml(prefix + string.Concat(Enumerable.Repeat(open, 20000)) + "x" + string.Concat(Enumerable.Repeat(close, 20000)) + "\n");
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void A_yaml_chain_of_1000_rules_is_refused()
    {
        var lines = Enumerable.Range(0, 1000).Select(i => $"r{i}: rule:r{i + 1}").Append("r1000: '@'");
        var error = RefusedYaml(string.Join("\n", lines) + "\n");
        Assert.Contains("more than 100", error.Message);
        Assert.Matches(@"line \d+", error.Message);
    }

    [Fact]
    public void An_alias_bomb_is_refused_without_expanding_it()
    {
        // "Billion laughs": nine levels of ten aliases each would expand to 10^9 strings.
        var lines = new List<string> { "l0: &l0 'lol'" };
        for (var level = 1; level <= 9; level++)
            lines.Add($"l{level}: &l{level} [" + string.Join(", ", Enumerable.Repeat($"*l{level - 1}", 10)) + "]");
        var error = RefusedYaml(string.Join("\n", lines) + "\n");
        Assert.Contains("line 2", error.Message);

        var scalars = RefusedYaml("base: &lol 'role:admin'\nadd_image: *lol\n");
        Assert.Contains("line 2: an alias (*lol)", scalars.Message);
    }
}
