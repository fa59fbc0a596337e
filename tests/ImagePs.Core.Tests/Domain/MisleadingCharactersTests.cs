using ImagePs.Domain;
using ImagePs.Settings;
using Xunit;

namespace ImagePs.Tests.Domain;

public class MisleadingCharactersTests
{
    private readonly ImageFactory _factory = new(new CallerContext("alice", "project-a"), () => new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc));

    public static TheoryData<int, string> Refused => new()
    {
        { 0x061C, "U+061C ARABIC LETTER MARK" },
        { 0x200B, "U+200B ZERO WIDTH SPACE" },
        { 0x200E, "U+200E LEFT-TO-RIGHT MARK" },
        { 0x200F, "U+200F RIGHT-TO-LEFT MARK" },
        { 0x202A, "U+202A LEFT-TO-RIGHT EMBEDDING" },
        { 0x202B, "U+202B RIGHT-TO-LEFT EMBEDDING" },
        { 0x202C, "U+202C POP DIRECTIONAL FORMATTING" },
        { 0x202D, "U+202D LEFT-TO-RIGHT OVERRIDE" },
        { 0x202E, "U+202E RIGHT-TO-LEFT OVERRIDE" },
        { 0x2028, "U+2028 LINE SEPARATOR" },
        { 0x2029, "U+2029 PARAGRAPH SEPARATOR" },
        { 0x2060, "U+2060 WORD JOINER" },
        { 0x2066, "U+2066 LEFT-TO-RIGHT ISOLATE" },
        { 0x2067, "U+2067 RIGHT-TO-LEFT ISOLATE" },
        { 0x2068, "U+2068 FIRST STRONG ISOLATE" },
        { 0x2069, "U+2069 POP DIRECTIONAL ISOLATE" },
        { 0xFEFF, "U+FEFF ZERO WIDTH NO-BREAK SPACE" },
        { 0xD800, "U+D800 (half of a surrogate pair, not a character)" },
        { 0xDFFF, "U+DFFF (half of a surrogate pair, not a character)" },
        { 0x001B, "U+001B (a control character)" },
    };

    /// <summary>"invoice" + the character + "gpj.exe": the character is the 8th.</summary>
    private static string Lying(int codePoint) => "invoice" + (char)codePoint + "gpj.exe";

    private static void AssertRefusal(ImagePsException error, string expectedId, int codePoint, string description)
    {
        Assert.Equal(expectedId, error.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Contains($"it contains {description} at character 8", error.Message);
        Assert.Contains($"invoice<U+{codePoint:X4}>gpj.exe", error.Message);
        Assert.DoesNotContain((char)codePoint, error.Message);
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void A_name_with_it_is_refused_naming_code_point_and_position(int codePoint, string description)
    {
        var error = Assert.ThrowsAny<ImagePsException>(() => _factory.NewImage(new ImageDraft { Name = Lying(codePoint) }));
        AssertRefusal(error, "InvalidImageName", codePoint, description);
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void A_tag_with_it_is_refused(int codePoint, string description)
    {
        var error = Assert.ThrowsAny<ImagePsException>(() => _factory.NewImage(new ImageDraft { Name = "n", Tags = { Lying(codePoint) } }));
        AssertRefusal(error, "InvalidTag", codePoint, description);
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void A_property_key_with_it_is_refused(int codePoint, string description)
    {
        var error = Assert.ThrowsAny<ImagePsException>(() => _factory.NewImage(new ImageDraft { Name = "n", Properties = { [Lying(codePoint)] = "v" } }));
        AssertRefusal(error, "InvalidProperty", codePoint, description);
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void A_member_id_with_it_is_refused(int codePoint, string description)
    {
        var error = Assert.ThrowsAny<ImagePsException>(() => ImageMember.CheckMemberId(Lying(codePoint)));
        AssertRefusal(error, "InvalidMemberId", codePoint, description);
    }

    [Theory]
    [InlineData("\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645")] // Persian "mi-khaham", with ZWNJ
    [InlineData("family-\U0001F468\u200D\U0001F469\u200D\U0001F467")] // an emoji ZWJ sequence
    [InlineData("\U0001F600 grin")] // a surrogate pair is one character, not a lone surrogate
    public void Joiners_and_surrogate_pairs_are_kept(string text)
    {
        var image = _factory.NewImage(new ImageDraft { Name = text, Tags = { text }, Properties = { [text] = text } });

        Assert.Equal(text, image.Name);
        Assert.Equal(new[] { text }, image.Tags);
        Assert.Equal(text, image.Properties[text]);
    }

    [Fact]
    public void Position_counts_characters_not_utf16_units()
    {
        var error = Assert.ThrowsAny<ImagePsException>(() => ImageValidation.CheckName("\U0001F600\u202E"));
        Assert.Contains("at character 2", error.Message);
    }

    [Fact]
    public void A_property_value_keeps_bidi_marks_and_line_breaks_but_not_lone_surrogates()
    {
        ImageValidation.CheckProperty("description", "\u05E9\u05DC\u05D5\u05DD\u200F\nline\ttwo");

        var error = Assert.ThrowsAny<ImagePsException>(() => ImageValidation.CheckProperty("description", "ab\uD800"));
        Assert.Equal("InvalidProperty", error.ErrorId);
        Assert.Contains("its value: it contains U+D800 (half of a surrogate pair, not a character) at character 3", error.Message);
    }

    [Fact]
    public void An_image_with_an_old_lying_name_prints_it_escaped()
    {
        var image = _factory.NewImage(new ImageDraft { Name = "ok" });
        var shown = MisleadingCharacters.Escape("invoice\u202Egpj.exe");

        Assert.Equal("invoice<U+202E>gpj.exe", shown);
        Assert.Equal($"ok ({image.Id})", image.ToString());
    }
}
