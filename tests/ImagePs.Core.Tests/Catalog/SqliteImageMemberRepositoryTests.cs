using ImagePs.Catalog;
using ImagePs.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit;

namespace ImagePs.Tests.Catalog;

/// <summary>Memberships in the SQLite catalog: table image_members, migration 2.</summary>
public class SqliteImageMemberRepositoryTests : IDisposable
{
    private static readonly DateTime Now = new(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    private readonly TestFolder _folder = new();
    private readonly SqliteImageRepository _catalog;
    private readonly SqliteImageMemberRepository _members;
    private readonly ImageFactory _factory = new(new CallerContext("alice", "web"));

    public SqliteImageMemberRepositoryTests()
    {
        _catalog = SqliteImageRepository.Open(_folder.File("catalog.db"));
        _members = new SqliteImageMemberRepository(_catalog, () => Now);
    }

    public void Dispose() => _folder.Dispose();

    private Image Add(string name)
    {
        var image = _factory.NewImage(new ImageDraft { Name = name });
        _catalog.Add(image);
        return image;
    }

    [Fact]
    public void Memberships_are_added_found_listed_saved_and_removed()
    {
        var image = Add("shared");
        var other = Add("other");
        _members.Add(image, ImageMember.New(image.Id, "db", Now.AddHours(-1)));
        _members.Add(image, ImageMember.New(image.Id, "ops", Now));
        _members.Add(other, ImageMember.New(other.Id, "db", Now));

        var db = _members.Find(image, "db")!;
        Assert.Equal((image.Id, "db", ImageMemberStatus.Pending), (db.ImageId, db.MemberId, db.Status));
        Assert.Equal(Now.AddHours(-1), db.CreatedAt);
        Assert.Null(_members.Find(image, "DB")); // project ids are exact
        Assert.Equal(new[] { "db", "ops" }, _members.List(image).Select(m => m.MemberId));

        db.SetStatus(ImageMemberStatus.Accepted);
        _members.Save(image, db);
        Assert.Equal(ImageMemberStatus.Accepted, _members.Find(image, "db")!.Status);

        _members.Remove(image, _members.Find(image, "ops")!);
        Assert.Equal(new[] { "db" }, _members.List(image).Select(m => m.MemberId));
        Assert.Single(_members.List(other));
    }

    [Fact]
    public void A_duplicate_or_missing_membership_is_an_error()
    {
        var image = Add("shared");
        _members.Add(image, ImageMember.New(image.Id, "db", Now));

        var duplicate = Assert.Throws<ImageConflictException>(() => _members.Add(image, ImageMember.New(image.Id, "db", Now)));
        Assert.Equal(("ImageMemberExists", ErrorKind.ResourceExists), (duplicate.ErrorId, duplicate.Kind));

        var gone = ImageMember.New(image.Id, "nobody", Now);
        Assert.Equal("ImageMemberNotFound", Assert.Throws<ImageNotFoundException>(() => _members.Save(image, gone)).ErrorId);
        Assert.Equal("ImageMemberNotFound", Assert.Throws<ImageNotFoundException>(() => _members.Remove(image, gone)).ErrorId);
    }

    [Fact]
    public void Finds_the_images_shared_with_a_project_by_status()
    {
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

    [Theory]
    [InlineData("", "it is empty")]
    [InlineData("  ", "it is empty")]
    [InlineData("a\u0007b", "control character")]
    public void A_member_must_be_a_plausible_project_name(string memberId, string reason)
    {
        var error = Assert.Throws<ImagePsException>(() => ImageMember.New(Guid.NewGuid(), memberId, Now));
        Assert.Equal(("InvalidMemberId", ErrorKind.InvalidArgument), (error.ErrorId, error.Kind));
        Assert.Contains(reason, error.Message);
        Assert.Throws<ImagePsException>(() => ImageMember.New(Guid.NewGuid(), new string('p', 256), Now));
    }

    [Fact]
    public void A_catalog_written_before_members_existed_is_migrated_keeping_its_images()
    {
        var image = Add("old");
        using (var connection = new SqliteConnection("Data Source=" + _catalog.Path))
        {
            connection.Open();
            using var downgrade = connection.CreateCommand();
            // Undo migrations 3 and 2: the catalog as schema version 1 wrote it.
            downgrade.CommandText =
                "DROP INDEX images_status_listing; DROP INDEX image_properties_value; CREATE INDEX images_status ON images (status); " +
                "DROP TABLE image_members; PRAGMA user_version = 1;";
            downgrade.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();

        var reopened = SqliteImageRepository.Open(_catalog.Path);
        var members = new SqliteImageMemberRepository(reopened);
        Assert.Equal("old", reopened.Get(image.Id).Name);
        members.Add(image, ImageMember.New(image.Id, "db", Now));
        Assert.Single(members.List(image));
    }
}
