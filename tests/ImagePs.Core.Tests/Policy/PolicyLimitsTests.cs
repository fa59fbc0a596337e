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
}
