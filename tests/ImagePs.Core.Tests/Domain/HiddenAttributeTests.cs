using ImagePs.Domain;
using ImagePs.Settings;
using Xunit;

namespace ImagePs.Tests.Domain;

/// <summary>os_hidden is a base attribute (New-Image -Hidden, Set-Image -Hidden), never an extra property.</summary>
public class HiddenAttributeTests
{
    private readonly ImageFactory _factory = new(new CallerContext("alice", "project-a"));

    [Fact]
    public void A_new_image_is_shown_unless_made_hidden()
    {
        Assert.False(_factory.NewImage(new ImageDraft { Name = "a" }).Hidden);
        Assert.True(_factory.NewImage(new ImageDraft { Name = "b", Hidden = true }).Hidden);
    }

    [Fact]
    public void Os_hidden_as_an_extra_property_is_refused_with_InvalidProperty()
    {
        var created = Assert.Throws<ImagePsException>(() =>
            _factory.NewImage(new ImageDraft { Name = "a", Properties = { ["os_hidden"] = "true" } }));
        Assert.Equal(("InvalidProperty", ErrorKind.InvalidArgument), (created.ErrorId, created.Kind));
        Assert.Contains("os_hidden", created.Message);

        var image = _factory.NewImage(new ImageDraft { Name = "a" });
        var changed = Assert.Throws<ImagePsException>(() =>
            new ImageChanges { SetProperties = { ["os_hidden"] = "True" } }.ApplyTo(image));
        Assert.Equal("InvalidProperty", changed.ErrorId);
        var removed = Assert.Throws<ImagePsException>(() => new ImageChanges { RemoveProperties = { "os_hidden" } }.ApplyTo(image));
        Assert.Equal("InvalidProperty", removed.ErrorId);
        Assert.Contains("os_hidden", removed.Message);
        Assert.False(image.Hidden);
        Assert.Empty(image.Properties);
    }

    [Fact]
    public void Hiding_is_a_change_that_says_what_it_does()
    {
        var image = _factory.NewImage(new ImageDraft { Name = "a" });
        var hide = new ImageChanges { Hidden = true };
        Assert.False(hide.IsEmpty);
        Assert.Contains(Messages.ChangeHiddenOn, hide.Describe());
        hide.ApplyTo(image);
        Assert.True(image.Hidden);
        Assert.Contains(Messages.ChangeHiddenOff, new ImageChanges { Hidden = false }.Describe());
    }
}
