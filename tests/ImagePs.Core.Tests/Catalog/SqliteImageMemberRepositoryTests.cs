using ImagePs.Catalog;
using ImagePs.Domain;
using ImagePs.Settings;
using ImagePs.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit;

namespace ImagePs.Tests.Catalog;

/// <summary>Memberships in the SQLite catalog: migration 2; member ids (what every catalog does: ImageMemberRepositoryContractTests).</summary>
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
            // Undo migrations 11, 10, 9, 8, 7, 5, 3 and 2: the catalog as schema version 1 wrote it.
            downgrade.CommandText =
                "DROP INDEX images_pending_delete; DROP INDEX image_locations_to_delete; ALTER TABLE images DROP COLUMN status_before_delete; ALTER TABLE images DROP COLUMN pending_delete_at; DROP INDEX images_status_rank_listing; DROP INDEX images_shown_updated_listing; ALTER TABLE images DROP COLUMN hidden; ALTER TABLE images DROP COLUMN version; DROP INDEX images_status_listing; DROP INDEX image_properties_value; CREATE INDEX images_status ON images (status); " +
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
