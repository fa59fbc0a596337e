using ImagePs.Catalog;
using ImagePs.Domain;
using ImagePs.Settings;

namespace ImagePs.Tests.Support;

/// <summary>
/// A real repository for testing one layer alone: images are put straight into the SQLite catalog
/// (no layers), the layer under test is composed over the catalog by the test.
/// </summary>
internal sealed class LayerFixture : IDisposable
{
    public LayerFixture(string? settingsJson = null)
    {
        Repository = new TestRepository(settingsJson);
    }

    public TestRepository Repository { get; }
    public IImageRepository Catalog => Repository.Backend.Catalog;
    public IImageMemberRepository Members => Repository.Backend.Members;
    public RepositorySettings Settings => Repository.Backend.Settings;

    /// <summary>An image owned by <paramref name="owner"/>, stored in the catalog as it is.</summary>
    public Image Add(string owner, ImageVisibility visibility = ImageVisibility.Shared, string name = "image",
        IDictionary<string, string>? properties = null, params string[] tags)
    {
        var draft = new ImageDraft { Name = name, Visibility = visibility, DiskFormat = "raw", ContainerFormat = "bare" };
        foreach (var property in properties ?? new Dictionary<string, string>()) draft.Properties[property.Key] = property.Value;
        foreach (var tag in tags) draft.Tags.Add(tag);
        var image = new ImageFactory(new CallerContext("someone", owner)).NewImage(draft);
        Catalog.Add(image);
        return image;
    }

    /// <summary>Makes an image Active without data, straight in the catalog.</summary>
    public Image Activate(Image image)
    {
        image.SetStatus(ImageStatus.Active);
        Catalog.Save(image, ImageStatus.Queued);
        return Catalog.Get(image.Id);
    }

    public ImageMember AddMember(Image image, string project, ImageMemberStatus status = ImageMemberStatus.Pending)
    {
        var member = ImageMember.New(image.Id, project, DateTime.UtcNow);
        Members.Add(image, member);
        if (status == ImageMemberStatus.Pending) return member;
        member.SetStatus(status);
        Members.Save(image, member);
        return member;
    }

    public void Dispose() => Repository.Dispose();
}
