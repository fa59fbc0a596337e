using ImagePs.Catalog;
using Xunit;

namespace ImagePs.Tests.Catalog;

public class WildcardPatternTests
{
    [Theory]
    [InlineData("debian*", "Debian-12", true)]
    [InlineData("debian*", "ubuntu", false)]
    [InlineData("*12", "debian-12", true)]
    [InlineData("d?bian", "debian", true)]
    [InlineData("d?bian", "dbian", false)]
    [InlineData("[dD]ebian", "Debian", true)]
    [InlineData("img[0-9]", "img7", true)]
    [InlineData("img[0-9]", "imgx", false)]
    [InlineData("a*b*c", "aXbYc", true)]
    [InlineData("a*b*c", "aXbY", false)]
    [InlineData("100%", "100%", true)]
    [InlineData("100%", "1000", false)]
    [InlineData("a_b", "a_b", true)]
    [InlineData("a_b", "axb", false)]
    [InlineData("`*star", "*star", true)]
    [InlineData("`*star", "xstar", false)]
    [InlineData("", "", true)]
    [InlineData("*", "", true)]
    [InlineData("ÉTÉ*", "été-2026", true)]
    public void Matches_like_powershell(string pattern, string value, bool expected)
    {
        Assert.Equal(expected, WildcardPattern.Parse(pattern).IsMatch(value));
    }

    [Theory]
    [InlineData("debian*", "DEBIAN*")]
    [InlineData("100%_x", "100%_X")]
    [InlineData("a?b", "A*B")]
    [InlineData("a[xy]b*", "A*B*")]
    [InlineData("`*lit", "[*]LIT")]
    [InlineData("x]y", "X[]]Y")]
    public void Glob_prefilter_keeps_literals_and_widens_the_rest(string pattern, string glob)
    {
        Assert.Equal(glob, WildcardPattern.Parse(pattern).ToGlobPrefilter());
    }

    [Theory]
    [InlineData("debian*", "DEBIAN%")]
    [InlineData("100%_x", "100\\%\\_X")]
    [InlineData("a?b", "A%B")]
    [InlineData("a[xy]b*", "A%B%")]
    [InlineData("back\\slash*", "BACK\\\\SLASH%")]
    [InlineData("`*lit", "*LIT")]
    [InlineData("*?*", "%")]
    [InlineData("50%*", "50\\%%")]
    public void Like_prefilter_escapes_sql_wildcards_and_widens_the_rest(string pattern, string like)
    {
        Assert.Equal(like, WildcardPattern.Parse(pattern).ToLikePrefilter());
    }

    [Fact]
    public void Unclosed_bracket_is_an_invalid_pattern()
    {
        var error = Assert.Throws<ImagePsException>(() => WildcardPattern.Parse("img[0-9"));
        Assert.Equal("InvalidWildcardPattern", error.ErrorId);
    }

    [Fact]
    public void Hostile_pattern_finishes_quickly()
    {
        // Exponential for naive backtracking; linear-time for this matcher.
        var pattern = WildcardPattern.Parse(string.Concat(Enumerable.Repeat("*a", 30)) + "b");
        var value = new string('a', 10_000);

        Assert.False(pattern.IsMatch(value));
    }

    [Theory]
    [InlineData("plain", false)]
    [InlineData("a*", true)]
    [InlineData("a?", true)]
    [InlineData("[a]", true)]
    [InlineData("`*", false)]
    public void Detects_wildcards(string value, bool expected)
    {
        Assert.Equal(expected, WildcardPattern.ContainsWildcard(value));
    }
}
