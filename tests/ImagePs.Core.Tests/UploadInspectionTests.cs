using ImagePs.Domain;
using ImagePs.Formats;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests;

/// <summary>
/// Inspection in the upload pipeline and in New-Image, on real repositories: unsafe content and format
/// mismatches are refused and leave the image Queued with nothing in the store; virtual sizes come
/// from the inspector and qemu-img as VirtualSizeProbe says.
/// </summary>
public class UploadInspectionTests
{
    public static IEnumerable<object[]> Vmdk_descriptor_naming_a_host_file_is_refused_whatever_it_is_declared_cases => TestBackends.With(new[]
    {
        new object[] { "vmdk" },
        new object[] { "raw" },
    });

    public static IEnumerable<object[]> Declared_format_other_than_the_content_is_a_mismatch_cases => TestBackends.With(new[]
    {
        new object[] { "qcow2", "raw" },
        new object[] { "vmdk", "vhd" },
        new object[] { "vhdx", "vhd" },
        new object[] { "vpc", "vhdx" },
        new object[] { "vdi", "qcow2" },
    });

    public static IEnumerable<object[]> A_partitioned_disk_is_accepted_as_raw_or_iso_cases => TestBackends.With(new[]
    {
        new object[] { "raw" },
        new object[] { "iso" },
    });

    public static IEnumerable<object[]> Recognised_content_declared_ami_ari_aki_or_ploop_is_a_mismatch_cases => TestBackends.With(new[]
    {
        new object[] { "gpt", "ami" },
        new object[] { "mbr", "aki" },
        new object[] { "gpt", "ploop" },
        new object[] { "qcow2", "ami" },
        new object[] { "vmdk", "ari" },
        new object[] { "vpc", "aki" },
        new object[] { "vhdx", "ami" },
        new object[] { "vdi", "ari" },
        new object[] { "luks", "aki" },
        new object[] { "iso", "ami" },
    });

    public static IEnumerable<object[]> Unrecognised_content_declared_ami_ari_or_aki_is_accepted_as_raw_cases => TestBackends.With(new[]
    {
        new object[] { "ami" },
        new object[] { "ari" },
        new object[] { "aki" },
    });

    public static IEnumerable<object[]> Virtual_size_equals_qemu_img_and_both_probes_agree_cases => TestBackends.With(new[]
    {
        new object[] { "vpc", "", "vhd" },
        new object[] { "vpc", "subformat=fixed", "vhd" },
        new object[] { "vpc", "force_size=on", "vhd" },
        new object[] { "vdi", "", "vdi" },
        new object[] { "vmdk", "subformat=streamOptimized", "vmdk" },
    });

    private static Image NewImage(TestRepository repository, string diskFormat, string containerFormat = "bare") =>
        repository.Service.CreateImage(new ImageDraft { Name = "image", DiskFormat = diskFormat, ContainerFormat = containerFormat });

    private static void AssertQueuedWithoutData(TestRepository repository, Image image)
    {
        var after = repository.Service.GetImage(image.Id);
        Assert.Equal(ImageStatus.Queued, after.Status);
        Assert.Null(after.Size);
        Assert.Null(after.VirtualSize);
        Assert.Null(after.Checksum);
        Assert.Empty(after.Locations);
        Assert.Empty(repository.StoreFiles());
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Qcow2_with_a_backing_file_is_refused_and_leaves_the_image_queued(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var backing = repository.Scratch.File("base.qcow2");
        QemuImg.Create("qcow2", backing, "16M");
        var source = repository.Scratch.File("top.qcow2");
        QemuImg.Create("qcow2", source, "16M", "backing_file=" + backing, "backing_fmt=qcow2");
        var image = NewImage(repository, "qcow2");

        var error = Assert.Throws<UnsafeImageException>(() => repository.Service.UploadData(image.Id, source, null, CancellationToken.None));

        Assert.Equal("UnsafeImage", error.ErrorId);
        Assert.Equal(ErrorKind.SecurityError, error.Kind);
        Assert.Equal(image.Id, error.Target);
        Assert.Contains(backing, error.Message);
        Assert.Equal("backing-file", Assert.Single(error.Findings).Check);
        AssertQueuedWithoutData(repository, image);
    }

    [Theory]
    [MemberData(nameof(Vmdk_descriptor_naming_a_host_file_is_refused_whatever_it_is_declared_cases))]
    public void Vmdk_descriptor_naming_a_host_file_is_refused_whatever_it_is_declared(TestBackend backend, string declared)
    {
        using var repository = new TestRepository(backend, "{ \"RequireDiskFormatMatch\": false }");
        var source = repository.Scratch.File("evil.vmdk");
        File.WriteAllText(source, "# Disk DescriptorFile\nversion=1\ncreateType=\"monolithicFlat\"\nRW 8 FLAT \"/etc/hostname\" 0\n");
        var image = NewImage(repository, declared);

        var error = Assert.Throws<UnsafeImageException>(() => repository.Service.UploadData(image.Id, source, null, CancellationToken.None));

        Assert.Contains("/etc/hostname", error.Message);
        AssertQueuedWithoutData(repository, image);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Content_matching_two_formats_is_refused(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var qcow2 = repository.Scratch.File("inner.qcow2");
        QemuImg.Create("qcow2", qcow2, "16M");
        var source = repository.Scratch.File("disguised.iso");
        IsoImage.WriteMinimal(source);
        ImageFile.Patch(source, 0, ImageFile.Read(qcow2, 0, 512));
        var image = NewImage(repository, "iso");

        var error = Assert.Throws<UnsafeImageException>(() => repository.Service.UploadData(image.Id, source, null, CancellationToken.None));

        Assert.Equal("multiple-formats", Assert.Single(error.Findings).Check);
        AssertQueuedWithoutData(repository, image);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Qed_is_refused_even_declared_raw(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var source = repository.Scratch.File("disk.qed");
        QemuImg.Create("qed", source, "16M");
        var image = NewImage(repository, "raw");

        var error = Assert.Throws<UnsafeImageException>(() => repository.Service.UploadData(image.Id, source, null, CancellationToken.None));

        Assert.Equal("qed", Assert.Single(error.Findings).Check);
        AssertQueuedWithoutData(repository, image);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Safety_checks_hold_when_the_format_match_is_switched_off(TestBackend backend)
    {
        using var repository = new TestRepository(backend, "{ \"RequireDiskFormatMatch\": false, \"VirtualSizeProbe\": \"native\" }");
        var source = repository.Scratch.File("data.qcow2");
        QemuImg.Create("qcow2", source, "16M", "data_file=" + repository.Scratch.File("payload.raw"));
        var image = NewImage(repository, "raw");

        var error = Assert.Throws<UnsafeImageException>(() => repository.Service.UploadData(image.Id, source, null, CancellationToken.None));

        Assert.Contains("payload.raw", error.Message);
        AssertQueuedWithoutData(repository, image);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_refused_upload_can_be_retried_with_good_data(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var bad = repository.Scratch.File("bad.qcow2");
        QemuImg.Create("qcow2", bad, "16M", "data_file=" + repository.Scratch.File("payload.raw"));
        var good = repository.Scratch.File("good.qcow2");
        QemuImg.Create("qcow2", good, "16M");
        var image = NewImage(repository, "qcow2");
        Assert.Throws<UnsafeImageException>(() => repository.Service.UploadData(image.Id, bad, null, CancellationToken.None));

        var uploaded = repository.Service.UploadData(image.Id, good, null, CancellationToken.None);

        Assert.Equal(ImageStatus.Active, uploaded.Status);
        Assert.Equal(16L << 20, uploaded.VirtualSize);
    }

    [Theory]
    [MemberData(nameof(Declared_format_other_than_the_content_is_a_mismatch_cases))]
    public void Declared_format_other_than_the_content_is_a_mismatch(TestBackend backend, string qemuFormat, string declared)
    {
        using var repository = new TestRepository(backend);
        var source = repository.Scratch.File("disk");
        QemuImg.Create(qemuFormat, source, "16M");
        var image = NewImage(repository, declared);

        var error = Assert.Throws<ImagePsException>(() => repository.Service.UploadData(image.Id, source, null, CancellationToken.None));

        Assert.Equal("DiskFormatMismatch", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, error.Kind);
        Assert.Contains("declared as " + declared, error.Message);
        AssertQueuedWithoutData(repository, image);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Mismatch_is_accepted_with_a_warning_when_the_setting_says_so(TestBackend backend)
    {
        using var repository = new TestRepository(backend, "{ \"RequireDiskFormatMatch\": false }");
        var source = repository.Scratch.File("disk.qcow2");
        QemuImg.Create("qcow2", source, "100M");
        var image = NewImage(repository, "raw");

        var uploaded = repository.Service.UploadData(image.Id, source, null, CancellationToken.None);

        Assert.Equal(ImageStatus.Active, uploaded.Status);
        Assert.Equal("raw", uploaded.DiskFormat);
        Assert.Equal(QemuImg.VirtualSize("qcow2", source), uploaded.VirtualSize);   // the content's, not the bytes'
        Assert.Contains(repository.Observer.Warnings, w => w.Contains("declared as raw") && w.Contains("qcow2"));
    }

    [Theory]
    [MemberData(nameof(A_partitioned_disk_is_accepted_as_raw_or_iso_cases))]
    public void A_partitioned_disk_is_accepted_as_raw_or_iso(TestBackend backend, string declared)
    {
        using var repository = new TestRepository(backend);
        var source = repository.Scratch.File("disk.img");
        using (var file = File.Create(source)) file.SetLength(4 << 20);
        ImageFile.Patch(source, 446, new byte[] { 0x80, 0, 2, 0, 0x83, 0, 0, 0, 1, 0, 0, 0, 0xff, 0x1f, 0, 0 });
        ImageFile.Patch(source, 510, new byte[] { 0x55, 0xAA });
        Assert.Equal("gpt", ImageInspector.Inspect(source).Format);
        var image = NewImage(repository, declared);

        var uploaded = repository.Service.UploadData(image.Id, source, null, CancellationToken.None);

        Assert.Equal(ImageStatus.Active, uploaded.Status);
        Assert.Equal(4L << 20, uploaded.VirtualSize);
        Assert.Empty(repository.Observer.Warnings);
    }

    /// <summary>Content in a format the inspector recognises, made by the real tools (or from the LUKS specification).</summary>
    private static void MakeContent(string kind, string path)
    {
        switch (kind)
        {
            case "gpt": PartitionedDisk.Gpt(path); break;
            case "mbr": PartitionedDisk.Mbr(path); break;
            case "luks": LuksImage.WriteLuks1(path, 16 << 20); break;
            case "iso": IsoImage.WriteMinimal(path); break;
            default: QemuImg.Create(kind, path, "16M"); break;
        }
    }

    [Theory]
    [MemberData(nameof(Recognised_content_declared_ami_ari_aki_or_ploop_is_a_mismatch_cases))]
    public void Recognised_content_declared_ami_ari_aki_or_ploop_is_a_mismatch(TestBackend backend, string content, string declared)
    {
        using var repository = new TestRepository(backend);
        var source = repository.Scratch.File("disk.img");
        MakeContent(content, source);
        var inspection = ImageInspector.Inspect(source);
        Assert.True(inspection.IsSafe, inspection.DescribeFindings());
        var image = NewImage(repository, declared);

        var error = Assert.Throws<ImagePsException>(() => repository.Service.UploadData(image.Id, source, null, CancellationToken.None));

        Assert.Equal("DiskFormatMismatch", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, error.Kind);
        Assert.Contains($"declared as {declared} but its content is {inspection.Format}", error.Message);
        AssertQueuedWithoutData(repository, image);
    }

    [Fact]
    public void New_image_refuses_a_partitioned_disk_declared_ami()
    {
        using var repository = new TestRepository();
        var source = repository.Scratch.File("disk.ami");
        PartitionedDisk.Gpt(source);

        var error = Assert.Throws<ImagePsException>(() => repository.Service.ChooseDiskFormat(source, "ami", null));

        Assert.Equal("DiskFormatMismatch", error.ErrorId);
        Assert.Contains("declared as ami but its content is gpt", error.Message);
    }

    [Theory]
    [MemberData(nameof(Unrecognised_content_declared_ami_ari_or_aki_is_accepted_as_raw_cases))]
    public void Unrecognised_content_declared_ami_ari_or_aki_is_accepted_as_raw(TestBackend backend, string declared)
    {
        using var repository = new TestRepository(backend);
        var source = repository.Scratch.RandomFile("kernel", 70001);
        var image = NewImage(repository, declared);

        var uploaded = repository.Service.UploadData(image.Id, source, null, CancellationToken.None);

        Assert.Equal(ImageStatus.Active, uploaded.Status);
        Assert.Equal(declared, uploaded.DiskFormat);
        Assert.Equal(QemuImg.VirtualSize("raw", source), uploaded.VirtualSize);
        Assert.Empty(repository.Observer.Warnings);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_luks_volume_is_accepted_as_raw_the_way_cinder_uploads_it(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var source = repository.Scratch.File("volume.luks");
        LuksImage.WriteLuks1(source, 16 << 20);
        var image = NewImage(repository, "raw");

        var uploaded = repository.Service.UploadData(image.Id, source, null, CancellationToken.None);

        Assert.Equal(ImageStatus.Active, uploaded.Status);
        Assert.Equal(QemuImg.VirtualSize("raw", source), uploaded.VirtualSize);
        Assert.Empty(repository.Observer.Warnings);
    }

    [Theory]
    [MemberData(nameof(Virtual_size_equals_qemu_img_and_both_probes_agree_cases))]
    public void Virtual_size_equals_qemu_img_and_both_probes_agree(TestBackend backend, string qemuFormat, string options, string declared)
    {
        using var repository = new TestRepository(backend);
        var source = repository.Scratch.File("disk");
        QemuImg.Create(qemuFormat, source, "1000M", options.Length == 0 ? Array.Empty<string>() : options.Split(','));
        var image = NewImage(repository, declared);

        var uploaded = repository.Service.UploadData(image.Id, source, null, CancellationToken.None);

        Assert.Equal(QemuImg.VirtualSize(qemuFormat, source), uploaded.VirtualSize);
        Assert.DoesNotContain(SystemProperties.QemuVirtualSize, uploaded.Properties.Keys);
        Assert.Empty(repository.Observer.Warnings);
    }

    [Fact]
    public void A_disagreeing_qemu_img_is_reported_and_recorded()
    {
        using var scratch = new TestFolder();
        var standIn = StandInProgram.Answering(scratch.Path, "{\"virtual-size\": 12345}");
        using var repository = new TestRepository($"{{ \"QemuImgPath\": \"{standIn}\" }}");
        var source = repository.Scratch.RandomFile("disk.raw", 8192);
        var image = NewImage(repository, "raw");

        var uploaded = repository.Service.UploadData(image.Id, source, null, CancellationToken.None);
        var stored = repository.Service.GetImage(image.Id);

        foreach (var result in new[] { uploaded, stored })
        {
            Assert.Equal(8192, result.VirtualSize);
            Assert.Equal("12345", result.Properties[SystemProperties.QemuVirtualSize]);
        }
        Assert.Contains(repository.Observer.Warnings, w => w.Contains("8192") && w.Contains("12345"));
    }

    [Fact]
    public void The_recorded_property_is_imagepss_own_whatever_the_property_protections()
    {
        using var scratch = new TestFolder();
        var standIn = StandInProgram.Answering(scratch.Path, "{\"virtual-size\": 12345}");
        using var repository = new TestRepository(
            $"{{ \"QemuImgPath\": \"{standIn}\", \"PropertyProtectionFile\": \"protections.conf\" }}",
            files: new Dictionary<string, string> { ["protections.conf"] = "[^os_]\ncreate = @\nread = @\nupdate = @\ndelete = @\n" });
        var source = repository.Scratch.RandomFile("disk.raw", 8192);
        var image = NewImage(repository, "raw");

        var uploaded = repository.Service.UploadData(image.Id, source, null, CancellationToken.None);

        Assert.Equal(ImageStatus.Active, uploaded.Status);
        Assert.Equal("12345", repository.Service.GetImage(image.Id).Properties[SystemProperties.QemuVirtualSize]);
    }

    [Fact]
    public void Callers_cannot_set_imageps_properties()
    {
        using var repository = new TestRepository();

        var error = Assert.Throws<ImagePsException>(() => repository.Service.CreateImage(new ImageDraft
        {
            Name = "forged", Properties = { [SystemProperties.QemuVirtualSize] = "1" },
        }));

        Assert.Equal("ReadOnlyProperty", error.ErrorId);
    }

    [Fact]
    public void VirtualSizeProbe_qemu_img_takes_qemu_img_s_answer()
    {
        using var scratch = new TestFolder();
        var standIn = StandInProgram.Answering(scratch.Path, "{\"virtual-size\": 12345}");
        using var repository = new TestRepository($"{{ \"QemuImgPath\": \"{standIn}\", \"VirtualSizeProbe\": \"qemu-img\" }}");
        var source = repository.Scratch.RandomFile("disk.raw", 8192);
        var image = NewImage(repository, "raw");

        var uploaded = repository.Service.UploadData(image.Id, source, null, CancellationToken.None);

        Assert.Equal(12345, uploaded.VirtualSize);
        Assert.Empty(uploaded.Properties);
    }

    [Fact]
    public void VirtualSizeProbe_native_never_runs_qemu_img()
    {
        using var scratch = new TestFolder();
        var marker = scratch.File("ran");
        var standIn = StandInProgram.Write(scratch.Path, "qemu-img", $"touch {marker}; exit 1");
        using var repository = new TestRepository($"{{ \"QemuImgPath\": \"{standIn}\", \"VirtualSizeProbe\": \"native\" }}");
        var source = repository.Scratch.File("disk.vhdx");
        QemuImg.Create("vhdx", source, "3G");
        var image = NewImage(repository, "vhdx");

        var uploaded = repository.Service.UploadData(image.Id, source, null, CancellationToken.None);

        Assert.Equal(3L << 30, uploaded.VirtualSize);
        Assert.False(File.Exists(marker));
        Assert.Empty(repository.Observer.Warnings);
    }

    [Fact]
    public void A_failing_qemu_img_leaves_the_native_size_with_a_warning()
    {
        using var scratch = new TestFolder();
        var standIn = StandInProgram.Write(scratch.Path, "qemu-img", "echo 'qemu-img: broken' >&2; exit 1");
        using var repository = new TestRepository($"{{ \"QemuImgPath\": \"{standIn}\" }}");
        var source = repository.Scratch.RandomFile("disk.raw", 8192);
        var image = NewImage(repository, "raw");

        var uploaded = repository.Service.UploadData(image.Id, source, null, CancellationToken.None);

        Assert.Equal(ImageStatus.Active, uploaded.Status);
        Assert.Equal(8192, uploaded.VirtualSize);
        Assert.Contains(repository.Observer.Warnings, w => w.Contains("could not confirm") && w.Contains("qemu-img: broken"));
    }

    [Fact]
    public void A_qemu_img_answer_naming_a_backing_file_is_refused()
    {
        using var scratch = new TestFolder();
        var standIn = StandInProgram.Answering(scratch.Path, "{\"virtual-size\": 8192, \"backing-filename\": \"/etc/shadow\"}");
        using var repository = new TestRepository($"{{ \"QemuImgPath\": \"{standIn}\" }}");
        var source = repository.Scratch.RandomFile("disk.raw", 8192);
        var image = NewImage(repository, "raw");

        var error = Assert.Throws<UnsafeImageException>(() => repository.Service.UploadData(image.Id, source, null, CancellationToken.None));

        Assert.Contains("/etc/shadow", error.Message);
        AssertQueuedWithoutData(repository, image);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Non_bare_containers_are_not_matched_against_the_disk_format(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var source = repository.Scratch.RandomFile("appliance.ova", 10240);
        var image = NewImage(repository, "vmdk", "ova");

        var uploaded = repository.Service.UploadData(image.Id, source, null, CancellationToken.None);

        Assert.Equal(ImageStatus.Active, uploaded.Status);
        Assert.Null(uploaded.VirtualSize);
    }

    // --- New-Image --------------------------------------------------------------------------------

    [Theory]
    [InlineData("qcow2", "", "qcow2")]
    [InlineData("vmdk", "subformat=streamOptimized", "vmdk")]
    [InlineData("vpc", "subformat=fixed", "vhd")]
    [InlineData("vhdx", "", "vhdx")]
    [InlineData("vdi", "", "vdi")]
    [InlineData("raw", "", "raw")]
    public void New_image_takes_the_detected_format(string qemuFormat, string options, string expected)
    {
        using var repository = new TestRepository();
        var source = repository.Scratch.File("disk.bin");
        QemuImg.Create(qemuFormat, source, "16M", options.Length == 0 ? Array.Empty<string>() : options.Split(','));

        Assert.Equal(expected, repository.Service.ChooseDiskFormat(source, null, null));
    }

    [Theory]
    [InlineData("kernel.aki", "aki")]
    [InlineData("disk.ploop", "ploop")]
    [InlineData("disk.qcow2", "raw")]
    [InlineData("disk.iso", "raw")]
    public void New_image_on_unrecognised_content_uses_raw_or_an_uninspectable_format_by_extension(string name, string expected)
    {
        using var repository = new TestRepository();
        var source = repository.Scratch.RandomFile(name, 70000);

        Assert.Equal(expected, repository.Service.ChooseDiskFormat(source, null, null));
    }

    [Fact]
    public void New_image_refuses_an_unsafe_file_naming_it()
    {
        using var repository = new TestRepository();
        var source = repository.Scratch.File("top.qcow2");
        QemuImg.Create("qcow2", source, "16M", "backing_file=/etc/passwd", "backing_fmt=raw");

        var error = Assert.Throws<UnsafeImageException>(() => repository.Service.ChooseDiskFormat(source, null, null));

        Assert.Equal(source, error.Target);
        Assert.Contains(source, error.Message);
        Assert.Contains("/etc/passwd", error.Message);
    }

    [Fact]
    public void New_image_refuses_a_declared_format_the_file_does_not_have()
    {
        using var repository = new TestRepository();
        var source = repository.Scratch.File("disk.vhdx");
        QemuImg.Create("vhdx", source, "16M");

        var error = Assert.Throws<ImagePsException>(() => repository.Service.ChooseDiskFormat(source, "qcow2", "bare"));

        Assert.Equal("DiskFormatMismatch", error.ErrorId);
        using var lenient = new TestRepository("{ \"RequireDiskFormatMatch\": false }");
        Assert.Equal("qcow2", lenient.Service.ChooseDiskFormat(source, "qcow2", "bare"));
        Assert.Contains(lenient.Observer.Warnings, w => w.Contains("declared as qcow2"));
    }
}
