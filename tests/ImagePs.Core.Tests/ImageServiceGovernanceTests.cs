using ImagePs.Catalog;
using ImagePs.Domain;
using ImagePs.Events;
using ImagePs.Layers;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests;

/// <summary>
/// The whole gateway, every layer stacked, through the service the cmdlets use, with several callers:
/// on both backends.
/// </summary>
public class ImageServiceGovernanceTests
{
    private TestRepository _repository = null!;
    private ImageService _web = null!;
    private ImageService _webReader = null!;
    private ImageService _db = null!;
    private ImageService _admin = null!;

    public static IEnumerable<object[]> RefusedUploads => TestBackends.With(new[]
    {
        new object[] { "db", "ImageNotOwned" },       // another project: the image is read-only
        new object[] { "webReader", "PolicyDenied" }, // the owner's project, without the member role
    });

    private TestRepository Use(TestBackend backend)
    {
        _repository = new TestRepository(backend);
        _web = _repository.ServiceFor(Callers.Member("web"));
        _webReader = _repository.ServiceFor(Callers.Reader("web"));
        _db = _repository.ServiceFor(Callers.Member("db"));
        _admin = _repository.ServiceFor(Callers.Admin());
        return _repository;
    }

    private Image Create(ImageService service, string name, ImageVisibility visibility = ImageVisibility.Shared) =>
        service.CreateImage(new ImageDraft { Name = name, DiskFormat = "raw", ContainerFormat = "bare", Visibility = visibility });

    private string[] EventTypes(Guid id) => _admin.FindEvents(new ImageEventQuery { ImageIds = new[] { id } }).Select(e => e.EventType).ToArray();

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void The_upload_orchestration_works_through_every_layer_and_reports_Glance_s_events(TestBackend backend)
    {
        using var repository = Use(backend);
        var image = Create(_web, "debian");
        var source = _repository.Scratch.RandomFile("disk.raw", 64 * 1024);

        var uploaded = _web.UploadData(image.Id, source, null, CancellationToken.None);

        Assert.Equal((ImageStatus.Active, 64 * 1024L), (uploaded.Status, uploaded.Size));
        Assert.Equal(new[] { "image.create", "image.update", "image.prepare", "image.upload", "image.activate", "image.update" }, EventTypes(image.Id));
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_failed_upload_is_restored_through_every_layer(TestBackend backend)
    {
        using var repository = Use(backend);
        var image = Create(_web, "debian");
        var source = _repository.Scratch.RandomFile("disk.raw", 3 * 1024 * 1024);
        using (var failing = new FaultyStream(File.OpenRead(source), 1024 * 1024))
            Assert.Throws<ImagePsException>(() => _web.UploadData(image.Id, new ImageDataSource(failing, 3 * 1024 * 1024, source), CancellationToken.None));

        Assert.Equal(ImageStatus.Queued, _web.GetImage(image.Id).Status);
        Assert.Empty(_repository.StoreFiles());
        Assert.Equal(new[] { "image.create", "image.update", "image.prepare", "image.upload", "image.update" }, EventTypes(image.Id));
        Assert.Equal("ERROR", _admin.FindEvents(new ImageEventQuery { EventTypes = new[] { "image.upload" } }).Single().Priority);
    }

    [Theory]
    [MemberData(nameof(RefusedUploads))]
    public void A_refused_upload_changes_nothing(TestBackend backend, string caller, string errorId)
    {
        using var repository = Use(backend);
        var target = caller == "db" ? Create(_admin, "public", ImageVisibility.Public) : Create(_web, "mine");
        var service = caller == "db" ? _db : _webReader;
        var before = EventTypes(target.Id);
        var source = _repository.Scratch.RandomFile("disk.raw", 1000);

        var error = Assert.Throws<ImagePsException>(() => service.UploadData(target.Id, source, null, CancellationToken.None));

        Assert.Equal(errorId, error.ErrorId);
        if (errorId == "PolicyDenied") Assert.Contains("'upload_image'", error.Message);
        var after = _admin.GetImage(target.Id);
        Assert.Equal((ImageStatus.Queued, target.UpdatedAt), (after.Status, after.UpdatedAt));
        Assert.Equal(before, EventTypes(target.Id));
        Assert.Empty(_repository.StoreFiles());
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Sharing_an_image_with_another_project(TestBackend backend)
    {
        using var repository = Use(backend);
        var image = Create(_web, "shared");
        Assert.Equal("ImageNotFound", Assert.Throws<ImageNotFoundException>(() => _db.GetImage(image.Id)).ErrorId);

        var member = _web.AddMember(image.Id, "db");
        Assert.Equal(ImageMemberStatus.Pending, member.Status);
        Assert.Equal("ImageMemberExists", Assert.Throws<ImageConflictException>(() => _web.AddMember(image.Id, "db")).ErrorId);

        // Pending: the member can get it and find it when asking for pending ones, but it is not listed yet.
        Assert.Equal(image.Id, _db.GetImage(image.Id).Id);
        Assert.Empty(_db.FindImages(ImageQuery.All));
        Assert.Single(_db.FindImages(new ImageQuery { MemberStatuses = new[] { ImageMemberStatus.Pending } }));

        Assert.Equal("ImageMemberNotOwned", Assert.Throws<ImagePsException>(() => _web.SetMemberStatus(image.Id, "db", ImageMemberStatus.Accepted)).ErrorId);
        Assert.Equal(ImageMemberStatus.Accepted, _db.SetMemberStatus(image.Id, "db", ImageMemberStatus.Accepted).Status);
        Assert.Equal(new[] { "shared" }, _db.FindImages(ImageQuery.All).Select(i => i.Name));
        Assert.Equal(new[] { "db" }, _db.GetMembers(image.Id).Select(m => m.MemberId));

        Assert.Equal("ImageNotOwned", Assert.Throws<ImagePsException>(() => _db.RemoveMember(image.Id, "db")).ErrorId);
        Assert.Equal("ImageNotOwned", Assert.Throws<ImagePsException>(() => _db.AddMember(image.Id, "ops")).ErrorId);
        _web.RemoveMember(image.Id, "db");
        Assert.Equal("ImageNotFound", Assert.Throws<ImageNotFoundException>(() => _db.GetImage(image.Id)).ErrorId);
        Assert.Equal("ImageMemberNotFound", Assert.Throws<ImageNotFoundException>(() => _web.GetMember(image.Id, "db")).ErrorId);

        Assert.Equal(new[] { "image.member.create", "image.member.update", "image.member.delete" },
            EventTypes(image.Id).Where(t => t.StartsWith("image.member.")));
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Only_shared_images_have_members(TestBackend backend)
    {
        using var repository = Use(backend);
        var image = Create(_web, "private", ImageVisibility.Private);
        var error = Assert.Throws<ImagePsException>(() => _web.AddMember(image.Id, "db"));
        Assert.Equal(("ImageNotShared", ErrorKind.InvalidOperation), (error.ErrorId, error.Kind));
        Assert.Equal("ImageNotShared", Assert.Throws<ImagePsException>(() => _web.GetMembers(image.Id)).ErrorId);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Downloads_and_removals_are_checked_before_anything_happens(TestBackend backend)
    {
        using var repository = Use(backend);
        var image = Create(_admin, "public", ImageVisibility.Public);
        var error = Assert.Throws<ImagePsException>(() => _repository.ServiceFor(Callers.Reader("db")).CheckDownloadAllowed(image));
        Assert.Equal("PolicyDenied", error.ErrorId);
        Assert.Contains("'download_image'", error.Message);
        // Past the policy, the image itself decides: it has no data yet.
        Assert.Equal("ImageNotActive", Assert.Throws<ImagePsException>(() => _db.CheckDownloadAllowed(_db.GetImage(image.Id))).ErrorId);

        Assert.Equal("ImageNotOwned", Assert.Throws<ImagePsException>(() => _db.CheckRemoveAllowed(image)).ErrorId);
        var mine = Create(_web, "mine");
        Assert.Equal("PolicyDenied", Assert.Throws<ImagePsException>(() => _webReader.CheckRemoveAllowed(mine)).ErrorId);
        _web.CheckRemoveAllowed(mine);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_caller_reads_the_events_of_its_own_project_s_images_an_admin_all_of_them(TestBackend backend)
    {
        using var repository = Use(backend);
        var web = Create(_web, "web-image");
        var db = Create(_db, "db-image");
        _web.AddMember(web.Id, "db");

        Assert.Equal(new[] { "image.create", "image.member.create" }, _web.FindEvents(new ImageEventQuery()).Select(e => e.EventType));
        Assert.Equal(new[] { "image.create", "image.member.create" }, _db.FindEvents(new ImageEventQuery()).Select(e => e.EventType)); // its image, its membership
        Assert.Equal(db.Id, _db.FindEvents(new ImageEventQuery()).First().ImageId);
        Assert.Equal(3, _admin.FindEvents(new ImageEventQuery()).Count());
    }
}

/// <summary>Property protections through the whole gateway: hidden in images and in event payloads.</summary>
public class PropertyProtectionServiceTests : IDisposable
{
    private readonly TestRepository _repository = new(
        "{ \"PropertyProtectionFile\": \"protections.conf\" }",
        files: new Dictionary<string, string>
        {
            ["protections.conf"] = "[^secret_]\ncreate = member\nread = admin\nupdate = admin\ndelete = admin\n\n[.*]\ncreate = @\nread = @\nupdate = @\ndelete = @\n",
        });

    public void Dispose() => _repository.Dispose();

    [Fact]
    public void A_property_the_caller_may_create_but_not_read_is_kept_and_hidden()
    {
        var member = _repository.ServiceFor(Callers.Member("web"));
        var admin = _repository.ServiceFor(Callers.Admin());
        var image = member.CreateImage(new ImageDraft { Name = "x", Properties = { ["secret_token"] = "abc", ["os_distro"] = "debian" } });

        Assert.Equal(new[] { "os_distro" }, image.Properties.Keys);
        Assert.Equal(new[] { "os_distro" }, member.GetImage(image.Id).Properties.Keys);
        Assert.Equal("abc", admin.GetImage(image.Id).Properties["secret_token"]);

        var created = member.FindEvents(new ImageEventQuery()).Single();
        var properties = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(((IReadOnlyDictionary<string, object?>)created.Payload!)["properties"]);
        Assert.Equal(new[] { "os_distro" }, properties.Keys);
        var seenByAdmin = (IReadOnlyDictionary<string, object?>)((IReadOnlyDictionary<string, object?>)admin.FindEvents(new ImageEventQuery()).Single().Payload!)["properties"]!;
        Assert.Equal("abc", seenByAdmin["secret_token"]);

        var reader = _repository.ServiceFor(Callers.Reader("web"));
        var error = Assert.Throws<ImagePsException>(() => reader.CreateImage(new ImageDraft { Properties = { ["secret_x"] = "y" } }));
        Assert.Equal("PropertyProtected", error.ErrorId);
    }
}
