using ImagePs.Catalog;
using ImagePs.Domain;
using ImagePs.Layers;
using ImagePs.PropertyProtection;
using ImagePs.Settings;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Layers;

/// <summary>The property-protection layer alone over the real catalog.</summary>
public class PropertyProtectionLayerTests : IDisposable
{
    private const string Rules = """
        [^secret_]
        create = admin
        read = admin
        update = admin
        delete = admin

        [^locked_]
        create = admin
        read = @
        update = admin
        delete = admin

        [.*]
        create = @
        read = @
        update = @
        delete = @
        """;

    private readonly LayerFixture _fixture = new();
    private readonly PropertyProtectionRules _rules = PropertyProtectionRules.Parse(Rules, "/repo/protections.conf");
    private readonly Image _image;

    public PropertyProtectionLayerTests()
    {
        _image = _fixture.Add("web", properties: new Dictionary<string, string>
        {
            ["secret_key"] = "s3cr3t", ["locked_os"] = "debian", ["os_version"] = "12",
        });
    }

    public void Dispose() => _fixture.Dispose();

    private PropertyProtectionImageRepository As(CallerContext caller) => new(_fixture.Catalog, _rules, caller);

    private static void AssertProtected(string property, string operation, Action act)
    {
        var error = Assert.Throws<ImagePsException>(act);
        Assert.Equal(("PropertyProtected", ErrorKind.PermissionDenied), (error.ErrorId, error.Kind));
        Assert.Contains($"'{property}'", error.Message);
        Assert.Contains($"may not {operation} it", error.Message);
        Assert.Contains("/repo/protections.conf", error.Message);
    }

    [Fact]
    public void Creating_a_protected_property_needs_the_create_role()
    {
        var member = new PropertyProtectionImageFactory(new ImageFactory(Callers.Member("web")), _rules, Callers.Member("web"));
        AssertProtected("locked_os", "create", () => member.NewImage(new ImageDraft { Properties = { ["locked_os"] = "x" } }));
        Assert.Equal("12", member.NewImage(new ImageDraft { Properties = { ["os_version"] = "12" } }).Properties["os_version"]);

        var admin = new PropertyProtectionImageFactory(new ImageFactory(Callers.Admin()), _rules, Callers.Admin());
        Assert.Equal("x", admin.NewImage(new ImageDraft { Properties = { ["secret_key"] = "x" } }).Properties["secret_key"]);
    }

    [Fact]
    public void Properties_the_caller_may_not_read_are_not_in_the_images_it_gets()
    {
        var member = As(Callers.Member("web"));
        Assert.Equal(new[] { "locked_os", "os_version" }, member.Get(_image.Id).Properties.Keys.OrderBy(k => k));
        Assert.Equal(new[] { "locked_os", "os_version" }, member.List(ImageQuery.All).Single().Properties.Keys.OrderBy(k => k));
        Assert.Equal(3, As(Callers.Admin()).Get(_image.Id).Properties.Count);
    }

    [Fact]
    public void Saving_keeps_hidden_properties_and_checks_every_change()
    {
        var member = As(Callers.Member("web"));
        var image = member.Get(_image.Id);
        image.SetProperty("os_version", "13");
        image.SetProperty("hw_disk_bus", "virtio");
        member.Save(image);

        Assert.False(image.Properties.ContainsKey("secret_key")); // still hidden in the caller's copy
        var stored = _fixture.Catalog.Get(_image.Id).Properties;
        Assert.Equal(("s3cr3t", "13", "virtio", "debian"), (stored["secret_key"], stored["os_version"], stored["hw_disk_bus"], stored["locked_os"]));

        image = member.Get(_image.Id);
        image.SetProperty("locked_os", "ubuntu");
        AssertProtected("locked_os", "update", () => member.Save(image));
        image = member.Get(_image.Id);
        image.RemoveProperty("locked_os");
        AssertProtected("locked_os", "delete", () => member.Save(image));
        image = member.Get(_image.Id);
        image.SetProperty("locked_new", "x");
        AssertProtected("locked_new", "create", () => member.Save(image));
        image = member.Get(_image.Id);
        image.SetProperty("secret_key", "guess"); // exists but unreadable: changing it is an update
        AssertProtected("secret_key", "update", () => member.Save(image));

        Assert.Equal(4, _fixture.Catalog.Get(_image.Id).Properties.Count);
        Assert.Equal("debian", _fixture.Catalog.Get(_image.Id).Properties["locked_os"]);
    }

    [Fact]
    public void Without_a_file_nothing_is_protected_or_hidden()
    {
        var repository = new PropertyProtectionImageRepository(_fixture.Catalog, PropertyProtectionRules.None, Callers.Reader("web"));
        var image = repository.Get(_image.Id);
        Assert.Equal(3, image.Properties.Count);
        image.RemoveProperty("secret_key");
        repository.Save(image);
        Assert.Equal(2, _fixture.Catalog.Get(_image.Id).Properties.Count);
    }
}
