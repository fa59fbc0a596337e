using ImagePs.Domain;
using ImagePs.Layers;
using ImagePs.Settings;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Layers;

/// <summary>The quota layer alone over the real catalog.</summary>
public class QuotaLayerTests
{
    private static void AssertQuota(string setting, Action act)
    {
        var error = Assert.Throws<ImagePsException>(act);
        Assert.Equal(("QuotaExceeded", ErrorKind.LimitsExceeded), (error.ErrorId, error.Kind));
        Assert.Contains($"setting {setting}", error.Message);
    }

    private static Dictionary<string, string> Properties(int count) =>
        Enumerable.Range(1, count).ToDictionary(i => "p" + i, i => i.ToString());

    [Fact]
    public void A_new_image_may_carry_ImageTagQuota_tags()
    {
        using var fixture = new LayerFixture("{ \"ImageTagQuota\": 2 }");
        var factory = new QuotaImageFactory(new ImageFactory(Callers.Member("web")), fixture.Settings);
        Assert.Equal(2, factory.NewImage(new ImageDraft { Tags = { "a", "b", "a" } }).Tags.Count);
        AssertQuota("ImageTagQuota", () => factory.NewImage(new ImageDraft { Tags = { "a", "b", "c" } }));

        using var unlimited = new LayerFixture("{ \"ImageTagQuota\": -1 }");
        var many = new ImageDraft();
        foreach (var i in Enumerable.Range(0, 300)) many.Tags.Add("t" + i);
        Assert.Equal(300, new QuotaImageFactory(new ImageFactory(Callers.Member("web")), unlimited.Settings).NewImage(many).Tags.Count);
    }

    [Fact]
    public void Adding_counts_properties_and_the_owner_s_images()
    {
        using var fixture = new LayerFixture("{ \"ImagePropertyQuota\": 2, \"ImageCountQuota\": 2 }");
        var repository = new QuotaImageRepository(fixture.Catalog, fixture.Settings);
        Image Draft(string owner, int properties) =>
            new ImageFactory(new CallerContext("u", owner)).NewImage(new ImageDraft { Properties = Properties(properties) });

        AssertQuota("ImagePropertyQuota", () => repository.Add(Draft("web", 3)));
        var first = Draft("web", 2);
        repository.Add(first);
        repository.Add(Draft("web", 0));
        var third = Draft("web", 0);
        var error = Assert.Throws<ImagePsException>(() => repository.Add(third));
        Assert.Equal("QuotaExceeded", error.ErrorId);
        Assert.Contains("Project 'web' would own 3 images, more than the 2 allowed (setting ImageCountQuota)", error.Message);
        Assert.Equal("ImageNotFound", Assert.Throws<ImageNotFoundException>(() => fixture.Catalog.Get(third.Id)).ErrorId);

        repository.Add(Draft("db", 0)); // per owner
        first.Delete();
        repository.Remove(first); // deleted images do not count
        repository.Add(third);
    }

    [Fact]
    public void Saving_refuses_only_additions_beyond_a_quota()
    {
        using var fixture = new LayerFixture("{ \"ImagePropertyQuota\": 2, \"ImageTagQuota\": 1 }");
        var image = fixture.Add("web", properties: Properties(3), tags: new[] { "a", "b" }); // stored before the quota was lowered
        var repository = new QuotaImageRepository(fixture.Catalog, fixture.Settings);

        var edit = repository.Get(image.Id);
        edit.SetProperty("p1", "changed");
        edit.RemoveTag("b");
        edit.SetName("edited");
        repository.Save(edit);

        edit = repository.Get(image.Id);
        edit.SetProperty("p4", "new");
        AssertQuota("ImagePropertyQuota", () => repository.Save(edit));
        edit = repository.Get(image.Id);
        edit.AddTag("c");
        AssertQuota("ImageTagQuota", () => repository.Save(edit));
        Assert.Equal(("edited", 3, 1), (fixture.Catalog.Get(image.Id).Name, fixture.Catalog.Get(image.Id).Properties.Count, fixture.Catalog.Get(image.Id).Tags.Count));
    }

    [Fact]
    public void An_upload_that_would_exceed_ImageLocationQuota_does_not_start()
    {
        using var fixture = new LayerFixture("{ \"ImageLocationQuota\": 0 }");
        var repository = new QuotaImageRepository(fixture.Catalog, fixture.Settings);
        var image = repository.Get(fixture.Add("web").Id);
        image.SetStatus(ImageStatus.Saving);
        AssertQuota("ImageLocationQuota", () => repository.Save(image));
        Assert.Equal(ImageStatus.Queued, fixture.Catalog.Get(image.Id).Status);
    }

    [Fact]
    public void An_image_has_at_most_ImageMemberQuota_members()
    {
        using var fixture = new LayerFixture("{ \"ImageMemberQuota\": 1 }");
        var image = fixture.Add("web");
        var members = new QuotaImageMemberRepository(fixture.Members, fixture.Settings);
        members.Add(image, ImageMember.New(image.Id, "db", DateTime.UtcNow));
        AssertQuota("ImageMemberQuota", () => members.Add(image, ImageMember.New(image.Id, "ops", DateTime.UtcNow)));
        Assert.Single(fixture.Members.List(image));
    }
}
