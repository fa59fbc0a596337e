using ImagePs.Catalog;
using ImagePs.Domain;
using ImagePs.Settings;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Catalog;

/// <summary>What every catalog's memberships must do, run against the SQLite and the PostgreSQL catalog.</summary>
public class ImageMemberRepositoryContractTests
{
    private static readonly DateTime Now = new(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    private readonly ImageFactory _factory = new(new CallerContext("alice", "web"));
    private SqlImageRepository _catalog = null!;
    private SqlImageMemberRepository _members = null!;

    private TestCatalog Use(TestBackend backend)
    {
        var test = new TestCatalog(backend);
        _catalog = test.Repository;
        _members = test.Members(_catalog, () => Now);
        return test;
    }

    private Image Add(string name)
    {
        var image = _factory.NewImage(new ImageDraft { Name = name });
        _catalog.Add(image);
        return image;
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Memberships_are_added_found_listed_saved_and_removed(TestBackend backend)
    {
        using var test = Use(backend);
        var image = Add("shared");
        var other = Add("other");
        _members.Add(image, ImageMember.New(image.Id, "db", Now.AddHours(-1)));
        _members.Add(image, ImageMember.New(image.Id, "ops", Now));
        _members.Add(other, ImageMember.New(other.Id, "db", Now));

        var db = _members.Find(image, "db")!;
        Assert.Equal((image.Id, "db", ImageMemberStatus.Pending), (db.ImageId, db.MemberId, db.Status));
        Assert.Equal(Now.AddHours(-1), db.CreatedAt);
        Assert.Equal(Now, db.UpdatedAt);
        Assert.Null(_members.Find(image, "DB")); // project ids are exact
        Assert.Equal(new[] { "db", "ops" }, _members.List(image).Select(m => m.MemberId));

        db.SetStatus(ImageMemberStatus.Accepted);
        _members.Save(image, db);
        Assert.Equal(ImageMemberStatus.Accepted, _members.Find(image, "db")!.Status);

        _members.Remove(image, _members.Find(image, "ops")!);
        Assert.Equal(new[] { "db" }, _members.List(image).Select(m => m.MemberId));
        Assert.Single(_members.List(other));
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_duplicate_or_missing_membership_is_an_error(TestBackend backend)
    {
        using var test = Use(backend);
        var image = Add("shared");
        _members.Add(image, ImageMember.New(image.Id, "db", Now));

        var duplicate = Assert.Throws<ImageConflictException>(() => _members.Add(image, ImageMember.New(image.Id, "db", Now)));
        Assert.Equal(("ImageMemberExists", ErrorKind.ResourceExists), (duplicate.ErrorId, duplicate.Kind));

        var gone = ImageMember.New(image.Id, "nobody", Now);
        Assert.Equal("ImageMemberNotFound", Assert.Throws<ImageNotFoundException>(() => _members.Save(image, gone)).ErrorId);
        Assert.Equal("ImageMemberNotFound", Assert.Throws<ImageNotFoundException>(() => _members.Remove(image, gone)).ErrorId);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Finds_the_images_shared_with_a_project_by_status(TestBackend backend)
    {
        using var test = Use(backend);
        var pending = Add("pending");
        var accepted = Add("accepted");
        var rejected = Add("rejected");
        foreach (var (image, status) in new[] { (pending, ImageMemberStatus.Pending), (accepted, ImageMemberStatus.Accepted), (rejected, ImageMemberStatus.Rejected) })
        {
            var member = ImageMember.New(image.Id, "db", Now);
            _members.Add(image, member);
            member.SetStatus(status);
            _members.Save(image, member);
        }

        Assert.Equal(new[] { accepted.Id }, _members.ImagesSharedWith("db", new[] { ImageMemberStatus.Accepted }));
        Assert.Equal(new[] { pending.Id, rejected.Id }.OrderBy(i => i), _members.ImagesSharedWith("db", new[] { ImageMemberStatus.Pending, ImageMemberStatus.Rejected }).OrderBy(i => i));
        Assert.Equal(3, _members.ImagesSharedWith("db", null).Count);
        Assert.Empty(_members.ImagesSharedWith("db", Array.Empty<ImageMemberStatus>()));
        Assert.Empty(_members.ImagesSharedWith("web", null));
    }
}
