using ImagePs.Errors;
using ImagePs.PropertyProtection;
using Xunit;

namespace ImagePs.Tests.PropertyProtection;

/// <summary>Glance's property protections file (roles format): matching, permissions, and what is refused.</summary>
public class PropertyProtectionRulesTests
{
    // Glance's own example (etc/property-protections-roles.conf.sample), shortened.
    private const string Sample = """
        # property protections, roles format
        [^x_owner_.*]
        create = admin,member
        read = admin,member
        update = admin,member
        delete = admin,member

        [x_none_read]
        create = admin,member
        read = !
        update = !
        delete = admin,member

        ; every user may do everything with the rest
        [.*]
        create = @
        read = @
        update = @
        delete = @
        """;

    private static readonly string[] Member = { "Member" };
    private static readonly string[] Reader = { "reader" };

    [Theory]
    [InlineData("x_owner_foo", "Read", true, false)]
    [InlineData("x_owner_foo", "Create", true, false)]
    [InlineData("x_none_read", "Read", false, false)]
    [InlineData("x_none_read", "Create", true, false)]
    [InlineData("prefix_x_none_read_suffix", "Update", false, false)] // matched anywhere, as re.search
    [InlineData("os_distro", "Update", true, true)]
    public void The_first_matching_section_decides(string property, string operationName, bool member, bool reader)
    {
        var operation = Enum.Parse<PropertyOperation>(operationName);
        var rules = PropertyProtectionRules.Parse(Sample, "p.conf");
        Assert.Equal(member, rules.Allows(property, operation, Member));
        Assert.Equal(reader, rules.Allows(property, operation, Reader));
    }

    [Fact]
    public void A_property_no_section_matches_is_refused_and_no_file_protects_nothing()
    {
        var rules = PropertyProtectionRules.Parse("[^x_.*]\ncreate = @\nread = @\nupdate = @\ndelete = @\n", "p.conf");
        Assert.False(rules.Allows("os_distro", PropertyOperation.Read, Member));
        Assert.True(PropertyProtectionRules.None.Allows("os_distro", PropertyOperation.Delete, Array.Empty<string>()));
        Assert.False(PropertyProtectionRules.None.Enabled);
    }

    [Fact]
    public void An_empty_role_list_allows_no_one_and_DEFAULT_values_fill_in()
    {
        var rules = PropertyProtectionRules.Parse("""
            [DEFAULT]
            read = @
            update =
            delete = admin
            [.*]
            create: member
            """, "p.conf");
        Assert.True(rules.Allows("a", PropertyOperation.Read, Reader));
        Assert.True(rules.Allows("a", PropertyOperation.Create, Member));
        Assert.False(rules.Allows("a", PropertyOperation.Update, new[] { "admin" }));
        Assert.True(rules.Allows("a", PropertyOperation.Delete, new[] { "ADMIN" }));
        Assert.Single(rules.Sections);
    }

    [Theory]
    [InlineData("[.*]\ncreate = @\nread = @\nupdate = @\n", 1, "section [.*] has no 'delete'")]
    [InlineData("[.*]\ncreate = @\nread = @\nupdate = @\ndelete = @\nremove = @\n", 6, "'remove' is not an operation")]
    [InlineData("[.*]\ncreate = @,!\nread = @\nupdate = @\ndelete = @\n", 2, "'@' and '!' exclude each other")]
    [InlineData("[x(]\ncreate = @\nread = @\nupdate = @\ndelete = @\n", 1, "[x(] is not a valid regular expression")]
    [InlineData("create = @\n", 1, "an option before the first [section]")]
    [InlineData("[a]\ncreate = @\nread = @\nupdate = @\ndelete = @\n[a]\n", 6, "section [a] appears twice")]
    [InlineData("[a]\ncreate = @\ncreate = admin\n", 3, "'create' appears twice")]
    [InlineData("[a]\ncreate = admin,\n  member\n", 3, "indented lines")]
    [InlineData("[a]\ncreate\n", 2, "expected 'operation = roles'")]
    [InlineData("[]\n", 1, "a section header is [expression]")]
    public void A_file_it_cannot_read_exactly_is_refused_with_the_line(string text, int line, string reason)
    {
        var error = Assert.Throws<ImagePsException>(() => PropertyProtectionRules.Parse(text, "/repo/protections.conf"));
        Assert.Equal("InvalidPropertyProtections", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, error.Kind);
        Assert.Contains("/repo/protections.conf", error.Message);
        Assert.Contains($"line {line}: ", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void A_configured_file_that_does_not_exist_stops_the_repository_from_opening()
    {
        var error = Assert.Throws<ImagePsException>(() => new Support.TestRepository("{ \"PropertyProtectionFile\": \"missing.conf\" }"));
        Assert.Equal("InvalidPropertyProtections", error.ErrorId);
        Assert.Contains("missing.conf", error.Message);
    }

    [Fact]
    public void A_section_whose_expression_times_out_protects_the_property_instead_of_passing_it_on()
    {
        // Catastrophic backtracking on this name: the 1 s match time-out fires. A later [.*] allows
        // everything, so skipping the section (as before) would have let the caller through.
        var rules = PropertyProtectionRules.Parse("""
            [^(a+)+$]
            create = @
            read = @
            update = @
            delete = @

            [.*]
            create = @
            read = @
            update = @
            delete = @
            """, "protections.conf");
        var name = new string('a', 40) + "!";

        Assert.False(rules.Allows(name, PropertyOperation.Create, Member, out var reason));
        Assert.NotNull(reason);
        Assert.Contains("[^(a+)+$]", reason);
        Assert.Contains("line 1", reason);
        var error = ImageErrors.PropertyProtected(name, PropertyOperation.Create, ImagePs.Tests.Support.Callers.Member("p"), "protections.conf", reason);
        Assert.Equal("PropertyProtected", error.ErrorId);
        Assert.Contains("[^(a+)+$]", error.Message);
    }
}
