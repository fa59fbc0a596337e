using ImagePs.Domain;
using ImagePs.Events;
using ImagePs.Layers;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Layers;

/// <summary>The notifier layer alone over the real catalog and store: Glance's events, in order, with Glance's payloads.</summary>
public class NotifierLayerTests : IDisposable
{
    private static readonly string[] ImagePayloadFields =
    {
        "id", "name", "status", "created_at", "updated_at", "min_disk", "min_ram", "protected", "checksum", "owner",
        "disk_format", "container_format", "size", "virtual_size", "is_public", "visibility", "properties", "tags",
        "deleted", "deleted_at", "os_hidden",
    };

    private readonly LayerFixture _fixture = new();
    private readonly RecordingObserver _observer = new();
    private readonly ImageNotifier _notifier;
    private readonly NotifierImageRepository _repository;
    private readonly NotifierDataWriter _writer;

    public NotifierLayerTests()
    {
        var backend = _fixture.Repository.Backend;
        _notifier = new ImageNotifier(backend.Events, Callers.Member("web"), _observer);
        _repository = new NotifierImageRepository(_fixture.Catalog, _notifier);
        _writer = new NotifierDataWriter(new LocationDataWriter(backend.Store, backend.Probe, backend.Settings, backend.Certificates, _observer), _notifier);
    }

    public void Dispose() => _fixture.Dispose();

    private IReadOnlyList<ImageEvent> Events() =>
        new ImageEventReader(_fixture.Repository.Backend.Events, _observer).Find(new ImageEventQuery(), _ => true).ToList();

    private static IReadOnlyDictionary<string, object?> Payload(ImageEvent e) => Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(e.Payload);

    private Image NewImage() => new ImageFactory(Callers.Member("web")).NewImage(new ImageDraft
    {
        Name = "debian", DiskFormat = "raw", ContainerFormat = "bare", Tags = { "nightly" }, Properties = { ["os_distro"] = "debian" },
    });

    [Fact]
    public void An_upload_sends_Glance_s_sequence_with_Glance_s_payload_and_never_the_location()
    {
        var image = NewImage();
        _repository.Add(image);
        image.SetStatus(ImageStatus.Saving);
        _repository.Save(image, ImageStatus.Queued);
        using (var data = new MemoryStream(new byte[4096]))
            _writer.SetData(image, new ImageDataSource(data, 4096, "mem"), CancellationToken.None);
        image.SetStatus(ImageStatus.Active);
        _repository.Save(image, ImageStatus.Saving);

        var events = Events();
        Assert.Equal(new[] { "image.create", "image.update", "image.prepare", "image.upload", "image.activate", "image.update" }, events.Select(e => e.EventType));
        Assert.All(events, e => Assert.Equal(("INFO", image.Id, "user-web", "web"), (e.Priority, e.ImageId, e.UserId, e.ProjectId)));

        var created = Payload(events[0]);
        Assert.Equal(ImagePayloadFields, created.Keys);
        Assert.Equal(new object?[] { "debian", "queued", "web", "shared", false, false, null },
            new[] { created["name"], created["status"], created["owner"], created["visibility"], created["is_public"], created["deleted"], created["size"] });
        Assert.Equal("debian", Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(created["properties"])["os_distro"]);
        Assert.Equal(new object?[] { "nightly" }, created["tags"]);
        Assert.Equal(false, created["os_hidden"]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", (string)created["created_at"]!);

        var prepare = Payload(events[2]);
        Assert.Equal(ImagePayloadFields.Concat(new[] { "os_glance_importing_to_stores", "os_glance_failed_import" }), prepare.Keys);
        var upload = Payload(events[3]);
        Assert.Equal(4096L, upload["size"]);
        Assert.Equal(image.Checksum, upload["checksum"]);
        Assert.Equal("active", Payload(events[5])["status"]);

        var log = File.ReadAllText(_fixture.Repository.Folder.EventsPath);
        Assert.DoesNotContain("file://", log);
        Assert.DoesNotContain("locations", log);
        Assert.Contains(_observer.VerboseMessages, m => m == $"Event image.activate: {image}");
    }

    [Fact]
    public void A_failed_upload_sends_an_error_whose_payload_is_the_message()
    {
        var image = NewImage();
        _repository.Add(image);
        var source = _fixture.Repository.Scratch.RandomFile("data.raw", 3 * 1024 * 1024);
        using (var failing = new FaultyStream(File.OpenRead(source), 1024 * 1024))
            Assert.Throws<ImagePsException>(() => _writer.SetData(image, new ImageDataSource(failing, 3 * 1024 * 1024, source), CancellationToken.None));

        var events = Events();
        Assert.Equal(new[] { "image.create", "image.prepare", "image.upload" }, events.Select(e => e.EventType));
        Assert.Equal("ERROR", events[2].Priority);
        var message = Assert.IsType<string>(events[2].Payload);
        Assert.StartsWith($"Failed to upload image data for image {image.Id}: ", message);
    }

    [Fact]
    public void A_change_that_fails_sends_nothing_and_a_delete_says_deleted()
    {
        var image = NewImage();
        _repository.Add(image);
        image.SetName("first");
        _repository.Save(image);
        var other = _fixture.Catalog.Get(image.Id); // another session reads it and moves it on
        other.SetStatus(ImageStatus.Active);
        _fixture.Catalog.Save(other);
        image.SetName("second");
        Assert.Throws<ImageConflictException>(() => _repository.Save(image));

        var current = _fixture.Catalog.Get(image.Id);
        current.Delete();
        _repository.Remove(current);

        var events = Events();
        Assert.Equal(new[] { "image.create", "image.update", "image.delete" }, events.Select(e => e.EventType));
        var deleted = Payload(events[2]);
        Assert.Equal(new object?[] { true, "deleted" }, new[] { deleted["deleted"], deleted["status"] });
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", (string)deleted["deleted_at"]!);
    }

    [Fact]
    public void Member_changes_send_member_events()
    {
        var image = _fixture.Add("web");
        var members = new NotifierImageMemberRepository(_fixture.Members, _notifier);
        var member = ImageMember.New(image.Id, "db", DateTime.UtcNow);
        members.Add(image, member);
        member.SetStatus(ImageMemberStatus.Accepted);
        members.Save(image, member);
        members.Remove(image, member);

        var events = Events();
        Assert.Equal(new[] { "image.member.create", "image.member.update", "image.member.delete" }, events.Select(e => e.EventType));
        var update = Payload(events[1]);
        Assert.Equal(new[] { "image_id", "member_id", "status", "created_at", "updated_at", "deleted", "deleted_at" }, update.Keys);
        Assert.Equal(new object?[] { image.Id.ToString(), "db", "accepted" }, new[] { update["image_id"], update["member_id"], update["status"] });
        Assert.Equal(true, Payload(events[2])["deleted"]);
    }

    [Fact]
    public void An_events_log_that_cannot_be_written_is_a_warning_not_a_failure()
    {
        var folder = _fixture.Repository.Folder;
        Directory.CreateDirectory(Path.Combine(folder.Root, "blocked"));
        var notifier = new ImageNotifier(new ImageEventLog(Path.Combine(folder.Root, "blocked"), folder.EventsLockPath), Callers.Member("web"), _observer);
        var image = NewImage();
        new NotifierImageRepository(_fixture.Catalog, notifier).Add(image);

        Assert.Equal("debian", _fixture.Catalog.Get(image.Id).Name);
        Assert.Contains(_observer.Warnings, w => w.Contains("image.create") && w.Contains("blocked"));
    }
}
