using ImagePs.Catalog;
using ImagePs.Domain;
using ImagePs.Layers;
using ImagePs.Policy;
using ImagePs.Settings;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Layers;

/// <summary>The policy layer alone over the real catalog: which rule governs each action, and what a refusal looks like.</summary>
public class PolicyLayerTests : IDisposable
{
    private readonly LayerFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    private static PolicyEnforcer Enforcer(CallerContext caller, params (string Name, string Rule)[] overrides) =>
        new(PolicyRules.Build(overrides.Select((o, i) => new PolicyFileEntry(o.Name, o.Rule, i + 1)), "policy.yaml"), caller);

    private PolicyImageRepository Repository(CallerContext caller, params (string, string)[] overrides) =>
        new(_fixture.Catalog, Enforcer(caller, overrides));

    private static void AssertDenied(string action, Action act)
    {
        var error = Assert.Throws<ImagePsException>(act);
        Assert.Equal(("PolicyDenied", ErrorKind.PermissionDenied), (error.ErrorId, error.Kind));
        Assert.Contains($"'{action}'", error.Message);
    }

    [Fact]
    public void Creating_needs_add_image_and_publicize_or_communitize_for_those_visibilities()
    {
        IImageFactory Factory(CallerContext caller) => new PolicyImageFactory(new ImageFactory(caller), Enforcer(caller));

        AssertDenied("add_image", () => Factory(Callers.Reader("web")).NewImage(new ImageDraft { Name = "x" }));
        AssertDenied("publicize_image", () => Factory(Callers.Member("web")).NewImage(new ImageDraft { Name = "x", Visibility = ImageVisibility.Public }));
        Assert.Equal(ImageVisibility.Community, Factory(Callers.Member("web")).NewImage(new ImageDraft { Visibility = ImageVisibility.Community }).Visibility);
        Assert.Equal("web", Factory(Callers.Member("web")).NewImage(new ImageDraft()).Owner);
        Assert.Equal(ImageVisibility.Public, Factory(Callers.Admin()).NewImage(new ImageDraft { Visibility = ImageVisibility.Public }).Visibility);
    }

    [Fact]
    public void An_image_get_image_refuses_is_not_found_and_listing_needs_get_images()
    {
        var image = _fixture.Add("web", ImageVisibility.Private);
        Assert.Equal("ImageNotFound", Assert.Throws<ImageNotFoundException>(() => Repository(Callers.Reader("db")).Get(image.Id)).ErrorId);
        Assert.Equal(image.Id, Repository(Callers.Reader("web")).Get(image.Id).Id);

        var error = Assert.Throws<ImagePsException>(() => Repository(Callers.WithRoles("web", "guest")).List(ImageQuery.All));
        Assert.Equal("PolicyDenied", error.ErrorId);
        Assert.Equal("get_images", error.Target);
        Assert.Single(Repository(Callers.Reader("web")).List(ImageQuery.All));
    }

    [Fact]
    public void Starting_or_finishing_an_upload_is_upload_image_and_an_edit_is_modify_image()
    {
        var image = _fixture.Add("web");
        var noUploads = Repository(Callers.Member("web"), ("upload_image", "!"));

        var uploading = noUploads.Get(image.Id);
        uploading.SetStatus(ImageStatus.Saving);
        AssertDenied("upload_image", () => noUploads.Save(uploading));
        Assert.Equal(ImageStatus.Queued, _fixture.Catalog.Get(image.Id).Status);

        var renamed = noUploads.Get(image.Id);
        renamed.SetName("renamed");
        noUploads.Save(renamed);

        var noEdits = Repository(Callers.Member("web"), ("modify_image", "!"));
        var edited = noEdits.Get(image.Id);
        edited.SetName("again");
        AssertDenied("modify_image", () => noEdits.Save(edited));
        edited.SetName("renamed");
        edited.SetStatus(ImageStatus.Saving);
        noEdits.Save(edited); // an upload, not an edit
        Assert.Equal(("renamed", ImageStatus.Saving), (_fixture.Catalog.Get(image.Id).Name, _fixture.Catalog.Get(image.Id).Status));

        // A reader of the owning project may see but not change it.
        var reader = Repository(Callers.Reader("web"));
        var seen = reader.Get(image.Id);
        seen.SetStatus(ImageStatus.Queued);
        AssertDenied("upload_image", () => reader.Save(seen));
    }

    [Fact]
    public void Deactivating_and_reactivating_have_their_own_rules()
    {
        var image = _fixture.Activate(_fixture.Add("web"));
        var repository = Repository(Callers.Member("web"), ("deactivate", "!"), ("reactivate", "role:admin"));

        var deactivating = repository.Get(image.Id);
        deactivating.SetStatus(ImageStatus.Deactivated);
        AssertDenied("deactivate", () => repository.Save(deactivating));

        var allowed = Repository(Callers.Member("web"), ("reactivate", "role:admin"));
        deactivating = allowed.Get(image.Id);
        deactivating.SetStatus(ImageStatus.Deactivated);
        allowed.Save(deactivating);
        var reactivating = allowed.Get(image.Id);
        reactivating.SetStatus(ImageStatus.Active);
        AssertDenied("reactivate", () => allowed.Save(reactivating));
        Assert.Equal(ImageStatus.Deactivated, _fixture.Catalog.Get(image.Id).Status);
    }

    [Fact]
    public void Making_an_image_public_is_publicize_image_but_editing_a_public_image_is_not()
    {
        var image = _fixture.Add("web", ImageVisibility.Private);
        var member = Repository(Callers.Member("web"));
        var publishing = member.Get(image.Id);
        publishing.SetVisibility(ImageVisibility.Public);
        AssertDenied("publicize_image", () => member.Save(publishing));
        Assert.Equal(ImageVisibility.Private, _fixture.Catalog.Get(image.Id).Visibility);

        var community = member.Get(image.Id);
        community.SetVisibility(ImageVisibility.Community);
        member.Save(community);

        var publicImage = _fixture.Add("web", ImageVisibility.Public);
        var edit = member.Get(publicImage.Id);
        edit.SetName("still public");
        member.Save(edit);
    }

    [Fact]
    public void A_refusal_on_an_image_the_caller_cannot_get_is_not_found()
    {
        var image = _fixture.Add("web", ImageVisibility.Private);
        var stranger = Repository(Callers.Member("db"));
        image.Delete();
        Assert.Equal("ImageNotFound", Assert.Throws<ImageNotFoundException>(() => stranger.Remove(image)).ErrorId);

        var visible = _fixture.Add("web", ImageVisibility.Public);
        visible.Delete();
        AssertDenied("delete_image", () => stranger.Remove(visible));
        Assert.Equal(ImageStatus.Queued, _fixture.Catalog.Get(visible.Id).Status);
    }

    [Fact]
    public void Uploading_data_needs_upload_image()
    {
        var backend = _fixture.Repository.Backend;
        var location = new LocationDataWriter(backend.Store, backend.Probe, backend.Settings, backend.Certificates, SilentObserver.Instance);
        var image = _fixture.Add("web");
        using var data = new MemoryStream(new byte[10]);
        AssertDenied("upload_image", () => new PolicyDataWriter(location, Enforcer(Callers.Reader("web"))).SetData(image, new ImageDataSource(data, 10, "mem"), CancellationToken.None));
        Assert.Empty(_fixture.Repository.StoreFiles());
    }

    [Fact]
    public void Members_need_get_image_then_their_own_rule()
    {
        var image = _fixture.Add("web", ImageVisibility.Shared);
        _fixture.AddMember(image, "db");
        PolicyImageMemberRepository As(CallerContext caller) => new(_fixture.Members, Enforcer(caller));

        AssertDenied("add_member", () => As(Callers.Reader("web")).Add(image, ImageMember.New(image.Id, "ops", DateTime.UtcNow)));
        As(Callers.Member("web")).Add(image, ImageMember.New(image.Id, "ops", DateTime.UtcNow));

        var db = _fixture.Members.Find(image, "db")!;
        db.SetStatus(ImageMemberStatus.Accepted);
        AssertDenied("modify_member", () => As(Callers.Member("web")).Save(image, db)); // only the member project
        As(Callers.Member("db")).Save(image, db);
        AssertDenied("delete_member", () => As(Callers.Member("db")).Remove(image, db));
        Assert.Equal(2, As(Callers.Reader("web")).List(image).Count);

        var hidden = _fixture.Add("web", ImageVisibility.Private);
        Assert.Equal("ImageNotFound", Assert.Throws<ImageNotFoundException>(() => As(Callers.Member("db")).List(hidden)).ErrorId);
    }
}
