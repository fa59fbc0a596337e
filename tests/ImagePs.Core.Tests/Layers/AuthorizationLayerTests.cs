using ImagePs.Catalog;
using ImagePs.Layers;
using ImagePs.Settings;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Layers;

/// <summary>The authorization layer alone over the real catalog: visibility, read-only images, members.</summary>
public class AuthorizationLayerTests : IDisposable
{
    private readonly LayerFixture _fixture = new();
    private readonly Image _private, _public, _community, _sharedPending, _sharedAccepted, _sharedRejected, _sharedOther;

    public AuthorizationLayerTests()
    {
        _private = _fixture.Add("web", ImageVisibility.Private, "private");
        _public = _fixture.Add("web", ImageVisibility.Public, "public");
        _community = _fixture.Add("web", ImageVisibility.Community, "community");
        _sharedPending = _fixture.Add("web", ImageVisibility.Shared, "shared-pending");
        _sharedAccepted = _fixture.Add("web", ImageVisibility.Shared, "shared-accepted");
        _sharedRejected = _fixture.Add("web", ImageVisibility.Shared, "shared-rejected");
        _sharedOther = _fixture.Add("web", ImageVisibility.Shared, "shared-with-ops");
        _fixture.AddMember(_sharedPending, "db");
        _fixture.AddMember(_sharedAccepted, "db", ImageMemberStatus.Accepted);
        _fixture.AddMember(_sharedRejected, "db", ImageMemberStatus.Rejected);
        _fixture.AddMember(_sharedOther, "ops", ImageMemberStatus.Accepted);
    }

    public void Dispose() => _fixture.Dispose();

    private AuthorizationImageRepository As(CallerContext caller) => new(_fixture.Catalog, _fixture.Members, caller);

    private static string[] Names(IEnumerable<Image> images) => images.Select(i => i.Name!).ToArray();

    [Theory]
    [InlineData("web", "private public community shared-pending shared-accepted shared-rejected shared-with-ops")]
    [InlineData("db", "public community shared-pending shared-accepted shared-rejected")]
    [InlineData("ops", "public community shared-with-ops")]
    [InlineData("qa", "public community")]
    public void Get_finds_only_the_images_the_project_may_see(string project, string visible)
    {
        var repository = As(Callers.Member(project));
        foreach (var image in new[] { _private, _public, _community, _sharedPending, _sharedAccepted, _sharedRejected, _sharedOther })
        {
            if (visible.Split(' ').Contains(image.Name)) Assert.Equal(image.Id, repository.Get(image.Id).Id);
            else Assert.Equal("ImageNotFound", Assert.Throws<ImageNotFoundException>(() => repository.Get(image.Id)).ErrorId);
        }
    }

    [Fact]
    public void An_admin_sees_every_image() =>
        Assert.Equal(_sharedOther.Id, As(Callers.Admin()).Get(_sharedOther.Id).Id);

    [Fact]
    public void Listings_follow_Glance_community_only_when_asked_shared_only_when_accepted()
    {
        var db = As(Callers.Member("db"));
        Assert.Equal(new[] { "public", "shared-accepted" }, Names(db.List(ImageQuery.All)));
        Assert.Equal(new[] { "community" }, Names(db.List(new ImageQuery { Visibilities = new[] { ImageVisibility.Community } })));
        Assert.Equal(new[] { "public", "shared-pending", "shared-rejected" }, // the status only selects shared images
            Names(db.List(new ImageQuery { MemberStatuses = new[] { ImageMemberStatus.Pending, ImageMemberStatus.Rejected } })));
        Assert.Equal(new[] { "shared-pending", "shared-accepted", "shared-rejected" },
            Names(db.List(new ImageQuery { Visibilities = new[] { ImageVisibility.Shared }, MemberStatuses = Enum.GetValues<ImageMemberStatus>() })));

        // The owner lists all its own images, its community one included; an admin too, but others' community ones only when asked.
        Assert.Equal(7, As(Callers.Member("web")).List(ImageQuery.All).Count());
        var other = _fixture.Add("qa", ImageVisibility.Community, "qa-community");
        var admin = As(Callers.Admin());
        Assert.DoesNotContain("qa-community", Names(admin.List(ImageQuery.All)));
        Assert.Contains("private", Names(admin.List(ImageQuery.All)));
        Assert.Contains("qa-community", Names(admin.List(new ImageQuery { Visibilities = new[] { ImageVisibility.Community } })));
        Assert.Equal(other.Id, admin.Get(other.Id).Id);
    }

    [Fact]
    public void Another_project_gets_read_only_images()
    {
        var db = As(Callers.Member("db"));
        var image = db.Get(_public.Id);
        image.SetName("renamed");
        var rename = Assert.Throws<ImagePsException>(() => db.Save(image));
        Assert.Equal(("ImageNotOwned", ErrorKind.PermissionDenied), (rename.ErrorId, rename.Kind));
        Assert.Contains("project 'web'", rename.Message);
        Assert.Contains("user 'user-db'", rename.Message);

        var deleted = db.Get(_public.Id);
        deleted.Delete();
        Assert.Equal("ImageNotOwned", Assert.Throws<ImagePsException>(() => db.Remove(deleted)).ErrorId);

        var stored = _fixture.Catalog.Get(_public.Id);
        Assert.Equal(("public", ImageStatus.Queued), (stored.Name, stored.Status));
    }

    [Fact]
    public void The_owner_and_an_admin_change_images()
    {
        var owner = As(Callers.Member("web"));
        var image = owner.Get(_private.Id);
        image.SetName("by-owner");
        owner.Save(image);

        var admin = As(Callers.Admin());
        image = admin.Get(_private.Id);
        image.SetName("by-admin");
        admin.Save(image);
        Assert.Equal("by-admin", _fixture.Catalog.Get(_private.Id).Name);
    }

    [Fact]
    public void Only_the_owner_uploads()
    {
        var backend = _fixture.Repository.Backend;
        var location = new LocationDataWriter(backend.Store, backend.Probe, backend.Settings, backend.Certificates, SilentObserver.Instance);
        var writer = new AuthorizationDataWriter(location, Callers.Member("db"));
        using var data = new MemoryStream(new byte[] { 1, 2, 3 });

        var error = Assert.Throws<ImagePsException>(() => writer.SetData(_public, new ImageDataSource(data, 3, "mem"), CancellationToken.None));
        Assert.Equal("ImageNotOwned", error.ErrorId);
        Assert.Empty(_fixture.Repository.StoreFiles());

        new AuthorizationDataWriter(location, Callers.Member("web")).SetData(_public, new ImageDataSource(data, 3, "mem"), CancellationToken.None);
        Assert.Equal(3, _public.Size);
    }

    [Fact]
    public void The_owner_manages_members_and_a_member_decides_its_own_membership()
    {
        var owner = new AuthorizationImageMemberRepository(_fixture.Members, Callers.Member("web"));
        var db = new AuthorizationImageMemberRepository(_fixture.Members, Callers.Member("db"));
        var ops = new AuthorizationImageMemberRepository(_fixture.Members, Callers.Member("ops"));

        Assert.Equal("ImageNotOwned", Assert.Throws<ImagePsException>(() => db.Add(_sharedPending, ImageMember.New(_sharedPending.Id, "qa", DateTime.UtcNow))).ErrorId);
        owner.Add(_sharedPending, ImageMember.New(_sharedPending.Id, "ops", DateTime.UtcNow));

        Assert.Equal(new[] { "db", "ops" }, owner.List(_sharedPending).Select(m => m.MemberId).OrderBy(m => m));
        Assert.Equal(new[] { "db" }, db.List(_sharedPending).Select(m => m.MemberId));
        Assert.NotNull(db.Find(_sharedPending, "db"));
        Assert.Null(db.Find(_sharedPending, "ops")); // another member's membership is not its business

        var membership = owner.Find(_sharedPending, "db")!;
        membership.SetStatus(ImageMemberStatus.Accepted);
        var byOwner = Assert.Throws<ImagePsException>(() => owner.Save(_sharedPending, membership));
        Assert.Equal(("ImageMemberNotOwned", ErrorKind.PermissionDenied), (byOwner.ErrorId, byOwner.Kind));
        Assert.Equal(ImageMemberStatus.Pending, _fixture.Members.Find(_sharedPending, "db")!.Status);

        db.Save(_sharedPending, membership);
        Assert.Equal(ImageMemberStatus.Accepted, _fixture.Members.Find(_sharedPending, "db")!.Status);

        Assert.Equal("ImageNotOwned", Assert.Throws<ImagePsException>(() => ops.Remove(_sharedPending, ops.Find(_sharedPending, "ops")!)).ErrorId);
        owner.Remove(_sharedPending, owner.Find(_sharedPending, "ops")!);
        Assert.Null(_fixture.Members.Find(_sharedPending, "ops"));
    }
}
