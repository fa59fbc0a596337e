using ImagePs.Domain;
using ImagePs.Settings;
using Xunit;

namespace ImagePs.Tests.Domain;

public class ImageFactoryTests
{
    private static readonly DateTime Now = new(2026, 11, 28, 10, 0, 0, DateTimeKind.Utc);
    private readonly ImageFactory _factory = new(new CallerContext("alice", "project-a"), () => Now);

    [Fact]
    public void New_image_is_queued_shared_and_owned_by_the_callers_project()
    {
        var image = _factory.NewImage(new ImageDraft { Name = "debian", DiskFormat = "QCOW2", ContainerFormat = "Bare" });

        Assert.Equal(ImageStatus.Queued, image.Status);
        Assert.Equal(ImageVisibility.Shared, image.Visibility);
        Assert.Equal("project-a", image.Owner);
        Assert.Equal("qcow2", image.DiskFormat);
        Assert.Equal("bare", image.ContainerFormat);
        Assert.Equal(Now, image.CreatedAt);
        Assert.Null(image.Size);
        Assert.Null(image.Checksum);
        Assert.NotEqual(Guid.Empty, image.Id);
    }

    [Fact]
    public void Given_fields_are_kept()
    {
        var id = Guid.NewGuid();
        var image = _factory.NewImage(new ImageDraft
        {
            Id = id, Name = "n", DiskFormat = "raw", ContainerFormat = "ovf", Visibility = ImageVisibility.Private,
            Protected = true, MinDisk = 20, MinRam = 2048,
            Tags = { "b", "a", "a" },
            Properties = { ["os_distro"] = "debian", ["note"] = "line1\nline2" },
        });

        Assert.Equal(id, image.Id);
        Assert.Equal(ImageVisibility.Private, image.Visibility);
        Assert.True(image.Protected);
        Assert.Equal(20, image.MinDisk);
        Assert.Equal(2048, image.MinRam);
        Assert.Equal(new[] { "a", "b" }, image.Tags);
        Assert.Equal("debian", image.Properties["os_distro"]);
        Assert.Equal("line1\nline2", image.Properties["note"]);
    }

    public static IEnumerable<object[]> InvalidDrafts()
    {
        yield return new object[] { new ImageDraft { Name = new string('x', 256) }, "InvalidImageName", ErrorKind.InvalidArgument };
        yield return new object[] { new ImageDraft { Name = "evil\u001b[31m" }, "InvalidImageName", ErrorKind.InvalidArgument };
        yield return new object[] { new ImageDraft { DiskFormat = "qcow3" }, "InvalidDiskFormat", ErrorKind.InvalidArgument };
        yield return new object[] { new ImageDraft { ContainerFormat = "tar" }, "InvalidContainerFormat", ErrorKind.InvalidArgument };
        yield return new object[] { new ImageDraft { MinDisk = -1 }, "InvalidMinDisk", ErrorKind.InvalidArgument };
        yield return new object[] { new ImageDraft { MinRam = -5 }, "InvalidMinRam", ErrorKind.InvalidArgument };
        yield return new object[] { new ImageDraft { Id = Guid.Empty }, "InvalidImageId", ErrorKind.InvalidArgument };
        yield return new object[] { new ImageDraft { Tags = { "" } }, "InvalidTag", ErrorKind.InvalidArgument };
        yield return new object[] { new ImageDraft { Tags = { new string('t', 256) } }, "InvalidTag", ErrorKind.InvalidArgument };
        yield return new object[] { new ImageDraft { Properties = { ["owner"] = "x" } }, "ReservedProperty", ErrorKind.PermissionDenied };
        yield return new object[] { new ImageDraft { Properties = { ["locations"] = "x" } }, "ReservedProperty", ErrorKind.PermissionDenied };
        yield return new object[] { new ImageDraft { Properties = { ["checksum"] = "x" } }, "ReadOnlyProperty", ErrorKind.PermissionDenied };
        yield return new object[] { new ImageDraft { Properties = { ["virtual_size"] = "1" } }, "ReadOnlyProperty", ErrorKind.PermissionDenied };
        yield return new object[] { new ImageDraft { Properties = { ["name"] = "x" } }, "InvalidProperty", ErrorKind.InvalidArgument };
        yield return new object[] { new ImageDraft { Properties = { [new string('k', 256)] = "x" } }, "InvalidProperty", ErrorKind.InvalidArgument };
        yield return new object[] { new ImageDraft { Properties = { ["k"] = new string('v', 65536) } }, "InvalidProperty", ErrorKind.InvalidArgument };
        yield return new object[] { new ImageDraft { Properties = { ["k"] = null! } }, "InvalidProperty", ErrorKind.InvalidArgument };
    }

    [Theory]
    [MemberData(nameof(InvalidDrafts))]
    public void Invalid_drafts_are_refused_with_a_stable_id(object invalidDraft, string errorId, ErrorKind kind)
    {
        var draft = (ImageDraft)invalidDraft;
        var error = Assert.Throws<ImagePsException>(() => _factory.NewImage(draft));

        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(kind, error.Kind);
        Assert.NotNull(error.Target);
    }

    [Fact]
    public void Limits_are_inclusive()
    {
        var image = _factory.NewImage(new ImageDraft
        {
            Name = new string('n', 255),
            Tags = { new string('t', 255) },
            Properties = { [new string('k', 255)] = new string('v', 65535) },
        });

        Assert.Equal(255, image.Name!.Length);
    }

    [Fact]
    public void Error_messages_name_the_offending_value()
    {
        var error = Assert.Throws<ImagePsException>(() => _factory.NewImage(new ImageDraft { DiskFormat = "qcow3" }));

        Assert.Contains("qcow3", error.Message);
        Assert.Contains("qcow2", error.Message); // lists the valid ones
    }
}
