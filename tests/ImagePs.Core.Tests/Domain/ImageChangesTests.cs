using ImagePs.Domain;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Domain;

/// <summary>Set-Image's rules on a real catalog: what may change, what Glance refuses, and atomicity.</summary>
public class ImageChangesTests
{
    [Fact]
    public void Every_settable_field_is_changed_and_saved()
    {
        using var repository = new TestRepository();
        var image = repository.Service.CreateImage(new ImageDraft
        {
            Name = "before", DiskFormat = "raw", ContainerFormat = "bare", Tags = { "old", "keep" },
            Properties = { ["os_distro"] = "debian", ["stale"] = "x" },
        });

        repository.Service.UpdateImage(image.Id, new ImageChanges
        {
            Name = "after",
            Visibility = ImageVisibility.Community,
            Protected = true,
            MinDisk = 20,
            MinRam = 2048,
            DiskFormat = "QCOW2",
            ContainerFormat = "ovf",
            AddTags = { "new" },
            RemoveTags = { "old" },
            SetProperties = { ["os_distro"] = "ubuntu", ["hw_disk_bus"] = "scsi" },
            RemoveProperties = { "stale" },
        });

        var stored = repository.Service.GetImage(image.Id);
        Assert.Equal("after", stored.Name);
        Assert.Equal(ImageVisibility.Community, stored.Visibility);
        Assert.True(stored.Protected);
        Assert.Equal(20, stored.MinDisk);
        Assert.Equal(2048, stored.MinRam);
        Assert.Equal("qcow2", stored.DiskFormat);
        Assert.Equal("ovf", stored.ContainerFormat);
        Assert.Equal(new[] { "keep", "new" }, stored.Tags);
        Assert.Equal(new Dictionary<string, string> { ["os_distro"] = "ubuntu", ["hw_disk_bus"] = "scsi" }, stored.Properties);
        Assert.Equal(ImageStatus.Queued, stored.Status);
    }

    [Fact]
    public void Unset_fields_are_left_as_they_are()
    {
        using var repository = new TestRepository();
        var image = repository.Service.CreateImage(new ImageDraft
        {
            Name = "keep", DiskFormat = "vmdk", ContainerFormat = "bare", Visibility = ImageVisibility.Private,
            Protected = true, MinDisk = 5, MinRam = 512, Tags = { "a" }, Properties = { ["k"] = "v" },
        });

        repository.Service.UpdateImage(image.Id, new ImageChanges { MinRam = 1024 });

        var stored = repository.Service.GetImage(image.Id);
        Assert.Equal("keep", stored.Name);
        Assert.Equal("vmdk", stored.DiskFormat);
        Assert.Equal(ImageVisibility.Private, stored.Visibility);
        Assert.True(stored.Protected);
        Assert.Equal(5, stored.MinDisk);
        Assert.Equal(1024, stored.MinRam);
        Assert.Equal(new[] { "a" }, stored.Tags);
        Assert.Equal("v", stored.Properties["k"]);
    }

    [Fact]
    public void An_active_image_takes_metadata_changes_but_keeps_its_data()
    {
        using var repository = new TestRepository();
        var image = ActiveImage(repository);

        repository.Service.UpdateImage(image.Id, new ImageChanges { Name = "renamed", AddTags = { "golden" }, Protected = true });

        var stored = repository.Service.GetImage(image.Id);
        Assert.Equal("renamed", stored.Name);
        Assert.Equal(ImageStatus.Active, stored.Status);
        Assert.Equal(image.Size, stored.Size);
        Assert.Equal(image.Checksum, stored.Checksum);
        Assert.Equal(image.OsHashValue, stored.OsHashValue);
        Assert.Equal(image.Locations.Single().Url, stored.Locations.Single().Url);
        Assert.Single(repository.StoreFiles());
    }

    [Theory]
    [InlineData("qcow2", null, "disk format")]
    [InlineData(null, "ovf", "container format")]
    public void Formats_change_only_while_queued(string? diskFormat, string? containerFormat, string attribute)
    {
        using var repository = new TestRepository();
        var image = ActiveImage(repository);

        var error = Assert.Throws<ImagePsException>(() =>
            repository.Service.UpdateImage(image.Id, new ImageChanges { Name = "not-saved", DiskFormat = diskFormat, ContainerFormat = containerFormat }));

        Assert.Equal("ImageFormatNotChangeable", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidOperation, error.Kind);
        Assert.Contains(attribute, error.Message);
        Assert.Contains("Active", error.Message);
        var stored = repository.Service.GetImage(image.Id);
        Assert.Equal("raw", stored.DiskFormat);
        Assert.Equal("bare", stored.ContainerFormat);
        Assert.Equal("image", stored.Name); // the whole change was refused
    }

    [Fact]
    public void Setting_the_format_an_active_image_already_has_is_no_change()
    {
        using var repository = new TestRepository();
        var image = ActiveImage(repository);

        repository.Service.UpdateImage(image.Id, new ImageChanges { DiskFormat = "RAW", ContainerFormat = "bare", MinDisk = 1 });

        var stored = repository.Service.GetImage(image.Id);
        Assert.Equal("raw", stored.DiskFormat);
        Assert.Equal(1, stored.MinDisk);
    }

    [Fact]
    public void Formats_may_change_again_after_a_failed_upload_returned_the_image_to_queued()
    {
        using var repository = new TestRepository("{ \"ImageSizeCap\": 100 }");
        var source = repository.Scratch.RandomFile("big.raw", 1000);
        var image = repository.NewImage();
        Assert.Throws<ImagePsException>(() => repository.Service.UploadData(image.Id, source, null, CancellationToken.None));

        repository.Service.UpdateImage(image.Id, new ImageChanges { DiskFormat = "vhdx" });

        Assert.Equal("vhdx", repository.Service.GetImage(image.Id).DiskFormat);
    }

    public static TheoryData<string, object, string, ErrorKind> RefusedChanges() => new()
    {
        { "a read-only property", new ImageChanges { SetProperties = { ["status"] = "active" } }, "ReadOnlyProperty", ErrorKind.PermissionDenied },
        { "a read-only checksum", new ImageChanges { SetProperties = { ["checksum"] = "0" } }, "ReadOnlyProperty", ErrorKind.PermissionDenied },
        { "a reserved property", new ImageChanges { SetProperties = { ["owner"] = "mallory" } }, "ReservedProperty", ErrorKind.PermissionDenied },
        { "a base attribute as property", new ImageChanges { SetProperties = { ["name"] = "x" } }, "InvalidProperty", ErrorKind.InvalidArgument },
        { "removing a read-only property", new ImageChanges { RemoveProperties = { "size" } }, "ReadOnlyProperty", ErrorKind.PermissionDenied },
        { "removing a reserved property", new ImageChanges { RemoveProperties = { "locations" } }, "ReservedProperty", ErrorKind.PermissionDenied },
        { "removing a base attribute", new ImageChanges { RemoveProperties = { "min_ram" } }, "InvalidProperty", ErrorKind.InvalidArgument },
        { "a null property value", new ImageChanges { SetProperties = { ["os_distro"] = null } }, "InvalidProperty", ErrorKind.InvalidArgument },
        { "a negative MinDisk", new ImageChanges { MinDisk = -1 }, "InvalidMinDisk", ErrorKind.InvalidArgument },
        { "a negative MinRam", new ImageChanges { MinRam = -5 }, "InvalidMinRam", ErrorKind.InvalidArgument },
        { "an empty tag", new ImageChanges { AddTags = { " " } }, "InvalidTag", ErrorKind.InvalidArgument },
        { "a name with a control character", new ImageChanges { Name = "a\u001bb" }, "InvalidImageName", ErrorKind.InvalidArgument },
        { "an unknown disk format", new ImageChanges { DiskFormat = "qcow3" }, "InvalidDiskFormat", ErrorKind.InvalidArgument },
        { "an unknown container format", new ImageChanges { ContainerFormat = "zip" }, "InvalidContainerFormat", ErrorKind.InvalidArgument },
    };

    [Theory]
    [MemberData(nameof(RefusedChanges))]
    public void Refused_changes_change_nothing(string _, object refusedChanges, string errorId, ErrorKind kind)
    {
        var refused = (ImageChanges)refusedChanges;
        using var repository = new TestRepository();
        var image = repository.Service.CreateImage(new ImageDraft
        {
            Name = "original", DiskFormat = "raw", ContainerFormat = "bare", Tags = { "t" }, Properties = { ["k"] = "v" },
        });
        // Every refused change also carries valid ones that must not be saved either.
        refused.AddTags.Add("valid-tag");
        refused.Name ??= "valid-name";
        refused.RemoveTags.Add("t");

        var error = Assert.Throws<ImagePsException>(() => repository.Service.UpdateImage(image.Id, refused));

        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(kind, error.Kind);
        var stored = repository.Service.GetImage(image.Id);
        Assert.Equal("original", stored.Name);
        Assert.Equal(new[] { "t" }, stored.Tags);
        Assert.Equal(new Dictionary<string, string> { ["k"] = "v" }, stored.Properties);
        Assert.Equal(image.UpdatedAt, stored.UpdatedAt);
    }

    [Fact]
    public void Removing_a_tag_or_property_the_image_lacks_is_no_change()
    {
        using var repository = new TestRepository();
        var image = repository.NewImage();

        repository.Service.UpdateImage(image.Id, new ImageChanges { RemoveTags = { "absent" }, RemoveProperties = { "absent" } });

        var stored = repository.Service.GetImage(image.Id);
        Assert.Empty(stored.Tags);
        Assert.Empty(stored.Properties);
    }

    [Fact]
    public void Removals_come_before_additions()
    {
        using var repository = new TestRepository();
        var image = repository.Service.CreateImage(new ImageDraft { Name = "x", Tags = { "same" }, Properties = { ["k"] = "old" } });

        repository.Service.UpdateImage(image.Id, new ImageChanges
        {
            RemoveTags = { "same" }, AddTags = { "same" }, RemoveProperties = { "k" }, SetProperties = { ["k"] = "new" },
        });

        var stored = repository.Service.GetImage(image.Id);
        Assert.Equal(new[] { "same" }, stored.Tags);
        Assert.Equal("new", stored.Properties["k"]);
    }

    [Fact]
    public void A_status_change_between_read_and_save_is_ImageConflict_and_nothing_is_saved()
    {
        using var repository = new TestRepository();
        var source = repository.Scratch.RandomFile("disk.raw", 2048);
        var image = repository.NewImage();

        // Read and change in memory, as Set-Image does before it asks for confirmation...
        var pending = repository.Service.GetImage(image.Id);
        ImageService.ApplyChanges(pending, new ImageChanges { Name = "late", DiskFormat = "qcow2" });
        // ...meanwhile another session uploads the data: Queued -> Active, format raw.
        var other = new ImageService(repository.Backend, TestRepository.Owner, SilentObserver.Instance);
        other.UploadData(image.Id, source, null, CancellationToken.None);

        var error = Assert.Throws<ImageConflictException>(() => repository.Service.SaveImage(pending));

        Assert.Equal("ImageConflict", error.ErrorId);
        Assert.Equal(ErrorKind.ResourceBusy, error.Kind);
        var stored = repository.Service.GetImage(image.Id);
        Assert.Equal(ImageStatus.Active, stored.Status);
        Assert.Equal("raw", stored.DiskFormat);
        Assert.Equal("image", stored.Name);
        Assert.Equal(2048, stored.Size);
    }

    [Fact]
    public void An_image_deleted_meanwhile_is_ImageNotFound()
    {
        using var repository = new TestRepository();
        var image = repository.NewImage();
        var pending = repository.Service.GetImage(image.Id);
        ImageService.ApplyChanges(pending, new ImageChanges { Name = "ghost" });
        repository.Service.RemoveImage(image.Id);

        var error = Assert.Throws<ImageNotFoundException>(() => repository.Service.SaveImage(pending));

        Assert.Equal("ImageNotFound", error.ErrorId);
    }

    [Fact]
    public void The_description_names_every_change()
    {
        var changes = new ImageChanges
        {
            Name = "web", Visibility = ImageVisibility.Private, Protected = false, MinDisk = 10, MinRam = 512,
            DiskFormat = "qcow2", ContainerFormat = "bare", AddTags = { "prod", "web" }, RemoveTags = { "test" },
            SetProperties = { ["os_distro"] = "debian" }, RemoveProperties = { "stale" },
        };

        var text = changes.Describe();

        foreach (var expected in new[] { "'web'", "Private", "deletion", "10 GB", "512 MB", "qcow2", "bare", "'prod', 'web'", "'test'", "os_distro='debian'", "'stale'" })
            Assert.Contains(expected, text);
        Assert.False(changes.IsEmpty);
        Assert.True(new ImageChanges().IsEmpty);
        Assert.NotEqual(text, new ImageChanges().Describe());
    }

    private static Image ActiveImage(TestRepository repository)
    {
        var source = repository.Scratch.RandomFile("active.raw", 4096);
        var image = repository.NewImage();
        return repository.Service.UploadData(image.Id, source, null, CancellationToken.None);
    }

    [Fact]
    public void ImagePs_records_cannot_be_removed_and_signatures_cannot_be_left_half()
    {
        using var repository = new TestRepository();
        var image = repository.NewImage();

        var record = Assert.Throws<ImagePsException>(() =>
            ImageService.ApplyChanges(image, new ImageChanges { RemoveProperties = { "imageps_virtual_size_qemu" } }));
        Assert.Equal("ReadOnlyProperty", record.ErrorId);

        var half = Assert.Throws<ImagePsException>(() =>
            ImageService.ApplyChanges(image, new ImageChanges { SetProperties = { ["img_signature"] = "AAAA" } }));
        Assert.Equal("InvalidSignatureProperties", half.ErrorId);
        Assert.DoesNotContain("img_signature", repository.Service.GetImage(image.Id).Properties.Keys);
        Assert.Empty(image.Properties);
    }
}
