using ImagePs.Formats;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Formats;

/// <summary>
/// Real images made by qemu-img and then edited by hand into what an attacker would upload: every one
/// must come back as a finding (never an exception, never a large read).
/// </summary>
public class HostileImageTests : IDisposable
{
    private readonly TestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static ImageInspection Inspect(string path)
    {
        var inspection = ImageInspector.Inspect(path);
        Assert.InRange(inspection.BytesRead, 0, HeaderReader.MaxTotalBytes + HeaderReader.HeadLength);
        return inspection;
    }

    private static SafetyFinding Finding(ImageInspection inspection, string check)
    {
        Assert.False(inspection.IsSafe);
        return Assert.Single(inspection.Findings, f => f.Check == check);
    }

    // --- qcow2 ----------------------------------------------------------------------------------

    [Theory]
    [InlineData("1.1")]
    [InlineData("0.10")]
    public void Qcow2_with_a_backing_file_is_refused_naming_it(string compat)
    {
        var backing = _folder.File("base.qcow2");
        QemuImg.Create("qcow2", backing, "16M");
        var path = _folder.File("top.qcow2");
        QemuImg.Create("qcow2", path, "16M", "backing_file=" + backing, "backing_fmt=qcow2", "compat=" + compat);

        var finding = Finding(Inspect(path), "backing-file");

        Assert.Contains(backing, finding.Message);
    }

    [Fact]
    public void Qcow2_with_an_external_data_file_is_refused_naming_it()
    {
        var path = _folder.File("data.qcow2");
        QemuImg.Create("qcow2", path, "16M", "data_file=" + _folder.File("payload.raw"));

        var finding = Finding(Inspect(path), "data-file");

        Assert.Contains("payload.raw", finding.Message);
    }

    [Fact]
    public void Qcow2_data_file_name_without_the_feature_bit_is_still_refused()
    {
        var path = _folder.File("data.qcow2");
        QemuImg.Create("qcow2", path, "16M", "data_file=" + _folder.File("payload.raw"));
        var incompatible = ImageFile.Read(path, 72, 8);
        incompatible[7] &= unchecked((byte)~0x04);
        ImageFile.Patch(path, 72, incompatible);

        Assert.Contains("payload.raw", Finding(Inspect(path), "data-file").Message);
    }

    [Theory]
    [InlineData(1UL << 5)]
    [InlineData(1UL << 40)]
    [InlineData(1UL << 63)]
    public void Qcow2_with_unknown_incompatible_features_is_refused(ulong bit)
    {
        var path = _folder.File("future.qcow2");
        QemuImg.Create("qcow2", path, "16M");
        ImageFile.PatchBigEndian64(path, 72, bit);

        Assert.Contains(bit.ToString("x"), Finding(Inspect(path), "unknown-features").Message);
    }

    [Fact]
    public void Qcow_version_1_is_refused()
    {
        var path = _folder.File("old.qcow");
        QemuImg.Create("qcow", path, "16M");

        var inspection = Inspect(path);

        Assert.Equal("qcow2", inspection.Format);
        Finding(inspection, "unsupported-version");
    }

    [Theory]
    [InlineData(24, ulong.MaxValue)]                  // size beyond any disk
    [InlineData(20, 40UL << 32)]                      // cluster_bits 40 (with size unchanged)
    public void Qcow2_with_absurd_header_values_is_malformed(long offset, ulong value)
    {
        var path = _folder.File("absurd.qcow2");
        QemuImg.Create("qcow2", path, "16M");
        ImageFile.PatchBigEndian64(path, offset, value);

        Finding(Inspect(path), "malformed");
    }

    [Fact]
    public void Qcow2_with_a_huge_header_length_is_malformed()
    {
        var path = _folder.File("absurd.qcow2");
        QemuImg.Create("qcow2", path, "16M");
        ImageFile.PatchBigEndian32(path, 100, uint.MaxValue);

        Finding(Inspect(path), "malformed");
    }

    [Fact]
    public void Qcow2_backing_file_offset_past_the_end_is_still_a_backing_file()
    {
        var path = _folder.File("far.qcow2");
        QemuImg.Create("qcow2", path, "16M");
        ImageFile.PatchBigEndian64(path, 8, 1UL << 62);
        ImageFile.PatchBigEndian32(path, 16, 1000);

        Finding(Inspect(path), "backing-file");
    }

    [Fact]
    public void Qcow2_header_extensions_running_off_the_cluster_are_malformed()
    {
        var path = _folder.File("ext.qcow2");
        QemuImg.Create("qcow2", path, "16M");
        var headerLength = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(ImageFile.Read(path, 100, 4));
        ImageFile.PatchBigEndian32(path, headerLength + 4, 0x7FFFFFF0);   // first extension's length

        Finding(Inspect(path), "malformed");
    }

    // --- vmdk -----------------------------------------------------------------------------------

    [Fact]
    public void Vmdk_descriptor_file_pointing_at_a_host_file_is_refused()
    {
        var path = _folder.File("evil.vmdk");
        File.WriteAllText(path, "# Disk DescriptorFile\nversion=1\nCID=12345678\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\n\n" +
            "# Extent description\nRW 2048 FLAT \"/etc/passwd\" 0\n");

        var inspection = Inspect(path);

        Assert.Equal("vmdk", inspection.Format);
        Finding(inspection, "vmdk-descriptor");
        Assert.Contains("/etc/passwd", Finding(inspection, "vmdk-extent").Message);
    }

    [Theory]
    [InlineData("monolithicFlat")]
    [InlineData("twoGbMaxExtentSparse")]
    [InlineData("twoGbMaxExtentFlat")]
    public void Vmdk_made_of_several_files_is_refused(string subformat)
    {
        var path = _folder.File("split.vmdk");
        QemuImg.Create("vmdk", path, "16M", "subformat=" + subformat);

        var inspection = Inspect(path);

        Assert.Equal("vmdk", inspection.Format);
        Assert.Contains(inspection.Findings, f => f.Check == "vmdk-descriptor" && f.Message.Contains(subformat));
        Assert.Contains(inspection.Findings, f => f.Check == "vmdk-extent" && f.Message.Contains("split-"));
    }

    [Theory]
    [InlineData("vmfs", "RW 32768 SPARSE \"disk.vmdk\"", "vmdk-create-type")]
    [InlineData("monolithicSparse", "RW 32768 SPARSE \"../../other/disk.vmdk\"", "vmdk-extent")]
    [InlineData("monolithicSparse", "RW 32768 SPARSE \"C:disk.vmdk\"", "vmdk-extent")]
    [InlineData("monolithicSparse", "RW 32768 FLAT \"disk-flat.vmdk\" 0", "vmdk-extent")]
    [InlineData("monolithicSparse", "", "vmdk-extent")]
    [InlineData("monolithicSparse", "RW 32768 SPARSE \"disk.vmdk\"\nthis is not a descriptor line", "vmdk-descriptor")]
    [InlineData("monolithicSparse", "RW 32768 SPARSE \"disk.vmdk\"\nparentFileNameHint=\"/var/lib/secret.vmdk\"", "vmdk-parent")]
    [InlineData("monolithicSparse", "RW 32768 SPARSE \"disk.vmdk\"\n# parentFileNameHint=\"/var/lib/secret.vmdk\"", "vmdk-parent")]
    public void Vmdk_with_a_doctored_embedded_descriptor_is_refused(string createType, string extents, string check)
    {
        var path = _folder.File("disk.vmdk");
        QemuImg.Create("vmdk", path, "16M");
        ImageFile.ReplaceVmdkDescriptor(path, $"# Disk DescriptorFile\nversion=1\nCID=1\nparentCID=ffffffff\ncreateType=\"{createType}\"\n\n{extents}\n");

        Finding(Inspect(path), check);
    }

    [Fact]
    public void Vmdk_with_zero_capacity_is_refused()
    {
        var path = _folder.File("zero.vmdk");
        QemuImg.Create("vmdk", path, "16M");
        ImageFile.PatchLittleEndian64(path, 12, 0);

        Finding(Inspect(path), "vmdk-extent");
    }

    [Theory]
    [InlineData(36, 1UL << 40)]           // descriptor size: a terabyte
    [InlineData(28, 1UL << 50)]           // descriptor offset far past the end
    [InlineData(20, 0)]                   // grain size zero
    [InlineData(12, ulong.MaxValue)]      // capacity beyond any disk
    public void Vmdk_with_absurd_header_values_stays_within_bounds(long offset, ulong value)
    {
        var path = _folder.File("absurd.vmdk");
        QemuImg.Create("vmdk", path, "16M");
        ImageFile.PatchLittleEndian64(path, offset, value);

        var inspection = Inspect(path);

        Assert.InRange(inspection.BytesRead, 0, 2 << 20);
        if (offset != 36) Finding(inspection, "malformed");
    }

    [Fact]
    public void StreamOptimized_vmdk_footer_is_used_when_the_header_says_so()
    {
        var path = _folder.File("stream.vmdk");
        QemuImg.Create("vmdk", path, "16M", "subformat=streamOptimized");
        var header = ImageFile.Read(path, 0, 512);
        var length = new FileInfo(path).Length;
        // Footer marker, then the footer (a header copy with the real capacity), then end-of-stream.
        var tail = new byte[1536];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(tail.AsSpan(12), 3);
        header.CopyTo(tail, 512);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(tail.AsSpan(512 + 12), 64 * 2048);   // 64 MiB
        ImageFile.Patch(path, length, tail);
        ImageFile.PatchLittleEndian64(path, 56, ulong.MaxValue);                                          // grain directory "at the end"

        var inspection = Inspect(path);

        Assert.True(inspection.IsSafe, inspection.DescribeFindings());
        Assert.Equal(64L << 20, inspection.VirtualSize);
        Assert.Equal(QemuImg.VirtualSize("vmdk", path), inspection.VirtualSize);
    }

    [Fact]
    public void StreamOptimized_vmdk_with_a_missing_footer_is_malformed()
    {
        var path = _folder.File("stream.vmdk");
        QemuImg.Create("vmdk", path, "16M", "subformat=streamOptimized");
        ImageFile.PatchLittleEndian64(path, 56, ulong.MaxValue);

        Finding(Inspect(path), "malformed");
    }

    /// <summary>
    /// A streamOptimized VMDK made by qemu-img convert, turned into one with its grain directory "at
    /// the end" as VMware writes them: the header says so, and a footer marker and the footer (the
    /// header with the real grain directory offset) go before qemu's end-of-stream marker. Returns
    /// where the footer marker starts.
    /// </summary>
    private long StreamVmdkWithFooter(string path)
    {
        var raw = _folder.File("data.raw");
        QemuImg.Create("raw", raw, "16M");
        QemuImg.Write("raw", raw, 1);
        QemuImg.Convert("raw", raw, "vmdk", path, "subformat=streamOptimized");
        var header = ImageFile.Read(path, 0, 512);
        var endOfStream = new FileInfo(path).Length - 512;
        Assert.True(ImageFile.Read(path, endOfStream, 512).All(b => b == 0), "qemu-img ends the stream with an end-of-stream marker");
        var tail = new byte[1536];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(tail, 1);              // footer marker: one sector of metadata,
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(tail.AsSpan(12), 3);   // size 0, type footer
        header.CopyTo(tail, 512);
        ImageFile.Patch(path, endOfStream, tail);
        ImageFile.PatchLittleEndian64(path, 56, ulong.MaxValue);                                // gdOffset: at the end
        return endOfStream;
    }

    [Fact]
    public void StreamOptimized_vmdk_with_its_grain_directory_at_the_end_is_accepted_as_qemu_reads_it()
    {
        var path = _folder.File("stream.vmdk");
        StreamVmdkWithFooter(path);

        var inspection = Inspect(path);

        Assert.True(inspection.IsSafe, inspection.DescribeFindings());
        Assert.Equal("streamOptimized", inspection.Variant);
        Assert.Equal(16L << 20, inspection.VirtualSize);
        Assert.Equal(QemuImg.VirtualSize("vmdk", path), inspection.VirtualSize);
    }

    [Theory]
    [InlineData(512 + 4, new byte[] { 1, 0, 0, 0 }, "footer's version (1) differs from the header's (3)")]
    [InlineData(512 + 28, new byte[] { 2 }, "footer's descriptorOffset (2) differs from the header's (1)")]
    [InlineData(512 + 36, new byte[] { 19 }, "footer's descriptorSize (19) differs from the header's (20)")]
    [InlineData(512 + 56, new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, "footer gdOffset is at end")]
    [InlineData(512 + 3, new byte[] { (byte)'W' }, "the footer is missing")]
    [InlineData(8, new byte[] { 1 }, "footer marker is not exact")]
    [InlineData(12, new byte[] { 2 }, "footer marker is not exact")]
    [InlineData(200, new byte[] { 1 }, "footer marker is not exact")]
    [InlineData(1024, new byte[] { 1 }, "end-of-stream marker")]
    [InlineData(1032, new byte[] { 1 }, "end-of-stream marker")]
    [InlineData(1036, new byte[] { 3 }, "end-of-stream marker")]
    [InlineData(1300, new byte[] { 7 }, "end-of-stream marker")]
    public void StreamOptimized_vmdk_footer_that_differs_from_the_header_or_sits_between_inexact_markers_is_malformed(int at, byte[] bytes, string reason)
    {
        var path = _folder.File("stream.vmdk");
        var tail = StreamVmdkWithFooter(path);
        ImageFile.Patch(path, tail + at, bytes);

        var finding = Finding(Inspect(path), "malformed");

        Assert.Contains("vmdk", finding.Message);
        Assert.Contains(reason, finding.Message);
    }

    // --- vhd ------------------------------------------------------------------------------------

    [Fact]
    public void Vhd_differencing_disk_is_refused_naming_its_parent()
    {
        var path = _folder.File("child.vhd");
        QemuImg.Create("vpc", path, "16M");
        ImageFile.EditVhdFooter(path, 0, footer => footer[63] = 4);
        ImageFile.Patch(path, 512 + 64, System.Text.Encoding.BigEndianUnicode.GetBytes("parent.vhd"));

        var inspection = Inspect(path);

        Assert.Equal("differencing", inspection.Variant);
        Assert.Contains("parent.vhd", Finding(inspection, "vhd-differencing").Message);
    }

    [Theory]
    [InlineData("win ", 16u << 20, (ushort)0, (byte)0, (byte)0)]
    [InlineData("qem2", 100u << 20, (ushort)0, (byte)0, (byte)0)]
    [InlineData("vpc ", 16u << 20, (ushort)963, (byte)4, (byte)17)]
    [InlineData("tap\0", 8u << 20, (ushort)1, (byte)1, (byte)1)]
    public void Hand_made_fixed_vhd_is_sized_like_qemu(string creator, uint size, ushort cylinders, byte heads, byte sectors)
    {
        var path = _folder.File("fixed.vhd");
        using (var file = File.Create(path))
        {
            file.SetLength(size);
            file.Position = size;
            file.Write(ImageFile.VhdFooter(size, creator, cylinders, heads, sectors));
        }

        var inspection = Inspect(path);

        Assert.Equal("vhd", inspection.Format);
        Assert.Equal("fixed", inspection.Variant);
        Assert.True(inspection.IsSafe, inspection.DescribeFindings());
        Assert.Equal(QemuImg.VirtualSize("vpc", path), inspection.VirtualSize);
    }

    [Fact]
    public void Vhd_footer_with_a_wrong_checksum_is_malformed_as_qemu_refuses_it()
    {
        var path = _folder.File("bad.vhd");
        QemuImg.Create("vpc", path, "16M");
        ImageFile.Patch(path, 64, new byte[] { 0xde, 0xad });

        Finding(Inspect(path), "malformed");
    }

    [Theory]
    [InlineData(16, ulong.MaxValue - 100)]   // dynamic header offset far past the end
    [InlineData(48, ulong.MaxValue)]         // current size beyond any disk (creator switched to "win ")
    public void Vhd_with_absurd_footer_values_is_malformed(int offset, ulong value)
    {
        var path = _folder.File("absurd.vhd");
        QemuImg.Create("vpc", path, "16M");
        ImageFile.EditVhdFooter(path, 0, footer =>
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(footer.AsSpan(offset), value);
            "win "u8.CopyTo(footer.AsSpan(28));
        });

        Finding(Inspect(path), "malformed");
    }

    // --- vhdx, vdi, qed, luks -------------------------------------------------------------------

    [Fact]
    public void Vhdx_with_a_parent_is_refused()
    {
        var path = _folder.File("child.vhdx");
        QemuImg.Create("vhdx", path, "16M");
        var parameters = ImageFile.VhdxMetadataItemOffset(path, new Guid("CAA16737-FA36-4D43-B3B6-33F0AA44E76B"));
        ImageFile.PatchLittleEndian32(path, parameters + 4, 2);   // HasParent

        Finding(Inspect(path), "vhdx-parent");
    }

    [Fact]
    public void Vhdx_with_a_damaged_region_table_is_malformed()
    {
        var path = _folder.File("bad.vhdx");
        QemuImg.Create("vhdx", path, "16M");
        ImageFile.PatchLittleEndian64(path, 192 * 1024 + 16 + 16, 1UL << 62);   // first entry's offset, checksum left stale

        Finding(Inspect(path), "malformed");
    }

    [Fact]
    public void Vdi_with_a_parent_is_refused()
    {
        var path = _folder.File("child.vdi");
        QemuImg.Create("vdi", path, "16M");
        ImageFile.Patch(path, 0x1b8, Guid.NewGuid().ToByteArray());

        Finding(Inspect(path), "vdi-parent");
    }

    [Fact]
    public void Vdi_claiming_more_disk_than_its_blocks_hold_is_malformed()
    {
        var path = _folder.File("big.vdi");
        QemuImg.Create("vdi", path, "16M");
        ImageFile.PatchLittleEndian64(path, 0x170, 1UL << 50);

        Finding(Inspect(path), "malformed");
    }

    [Fact]
    public void Qed_is_refused_whatever_it_holds()
    {
        var path = _folder.File("disk.qed");
        QemuImg.Create("qed", path, "16M");

        var inspection = Inspect(path);

        Assert.Equal("qed", inspection.Format);
        Finding(inspection, "qed");
    }

    [Fact]
    public void Luks_version_2_is_refused()
    {
        var path = _folder.File("disk.luks");
        LuksImage.WriteLuks2(path, 16 << 20);

        var inspection = Inspect(path);

        Assert.Equal("luks", inspection.Format);
        Assert.Contains("version 2", Finding(inspection, "unsupported-version").Message);
    }

    [Fact]
    public void Luks_version_1_written_from_the_specification_is_accepted_as_qemu_reads_it()
    {
        var path = _folder.File("disk.luks");
        LuksImage.WriteLuks1(path, 16 << 20);

        var inspection = Inspect(path);

        Assert.True(inspection.IsSafe, inspection.DescribeFindings());
        Assert.Equal("luks1", inspection.Variant);
        Assert.Equal(16L << 20, inspection.VirtualSize);
        Assert.Equal(QemuImg.VirtualSize("luks", path), inspection.VirtualSize);
    }

    [Fact]
    public void Luks_payload_past_the_end_is_malformed()
    {
        var path = _folder.File("disk.luks");
        LuksImage.WriteLuks1(path, 16 << 20);
        ImageFile.PatchBigEndian32(path, 104, uint.MaxValue);

        Finding(Inspect(path), "malformed");
    }

    // --- content that is two formats at once ---------------------------------------------------

    [Fact]
    public void Qcow2_header_in_an_iso_system_area_is_refused()
    {
        var qcow2 = _folder.File("inner.qcow2");
        QemuImg.Create("qcow2", qcow2, "16M");
        var path = _folder.File("disguised.iso");
        IsoImage.WriteMinimal(path);
        ImageFile.Patch(path, 0, ImageFile.Read(qcow2, 0, 512));

        var inspection = Inspect(path);

        Assert.Equal(new[] { "qcow2", "iso" }, inspection.MatchedFormats);
        Assert.Contains("qcow2, iso", Finding(inspection, "multiple-formats").Message);
    }

    [Fact]
    public void Qcow2_whose_first_sector_ends_in_the_mbr_signature_is_two_formats()
    {
        var path = _folder.File("both.qcow2");
        QemuImg.Create("qcow2", path, "16M");
        ImageFile.Patch(path, 510, new byte[] { 0x55, 0xAA });

        var inspection = Inspect(path);

        Assert.Equal(new[] { "qcow2", "gpt" }, inspection.MatchedFormats);
        Finding(inspection, "multiple-formats");
        Assert.Contains("gpt header", Finding(inspection, "malformed").Message);   // its header extensions are no partition table
    }

    [Fact]
    public void Vhd_footer_appended_to_a_qcow2_is_refused()
    {
        var path = _folder.File("both.qcow2");
        QemuImg.Create("qcow2", path, "16M");
        var length = (new FileInfo(path).Length + 511) / 512 * 512;
        ImageFile.Patch(path, length, ImageFile.VhdFooter(16 << 20, "win ", 0, 0, 0));

        Finding(Inspect(path), "multiple-formats");
    }

    [Fact]
    public void Fixed_vhd_footer_cut_short_at_an_unaligned_end_is_read_as_qemu_reads_it()
    {
        var path = _folder.File("odd.vhd");
        var footer = ImageFile.VhdFooter(4096, "win ", 0, 0, 0);
        Assert.True(footer.AsSpan(392).IndexOfAnyExcept((byte)0) < 0);
        File.WriteAllBytes(path, new byte[4608].Concat(footer.Take(392)).ToArray());   // 5000 bytes

        var inspection = Inspect(path);

        Assert.Equal("vhd", inspection.Format);
        Assert.Equal(QemuImg.VirtualSize("vpc", path), inspection.VirtualSize);
    }

    [Fact]
    public void Fixed_vhd_of_a_disk_whose_partition_table_is_invalid_is_still_the_vhd()
    {
        var path = _folder.File("disk.vhd");
        QemuImg.Create("vpc", path, "16M", "subformat=fixed");
        ImageFile.Patch(path, 446, new byte[] { 0x42 });
        ImageFile.Patch(path, 510, new byte[] { 0x55, 0xAA });

        var inspection = Inspect(path);

        Assert.True(inspection.IsSafe, inspection.DescribeFindings());
        Assert.Equal("vhd", inspection.Format);
        Assert.Equal(new[] { "vhd", "gpt" }, inspection.MatchedFormats);
    }

    [Fact]
    public void Fixed_vhd_of_a_partitioned_disk_is_a_vhd()
    {
        var path = _folder.File("disk.vhd");
        QemuImg.Create("vpc", path, "16M", "subformat=fixed");
        var mbr = new byte[512];
        mbr[446 + 4] = 0x83;       // one Linux partition
        mbr[446 + 8] = 1;
        mbr[446 + 12] = 100;
        mbr[510] = 0x55;
        mbr[511] = 0xAA;
        ImageFile.Patch(path, 0, mbr);

        var inspection = Inspect(path);

        Assert.True(inspection.IsSafe, inspection.DescribeFindings());
        Assert.Equal("vhd", inspection.Format);
        Assert.Equal(new[] { "vhd", "gpt" }, inspection.MatchedFormats);
    }

    // --- truncated headers ----------------------------------------------------------------------

    [Theory]
    [InlineData("qcow2", "", 50)]
    [InlineData("qcow2", "", 90)]
    [InlineData("vmdk", "", 300)]
    [InlineData("vhdx", "", 100 * 1024)]
    [InlineData("vhdx", "", 200 * 1024)]
    [InlineData("vdi", "", 200)]
    [InlineData("vpc", "", 600)]
    [InlineData("qed", "", 20)]
    public void Truncated_headers_are_malformed(string qemuFormat, string options, int keep)
    {
        var path = _folder.File("cut.img");
        QemuImg.Create(qemuFormat, path, "16M", options.Length == 0 ? Array.Empty<string>() : options.Split(','));
        ImageFile.Truncate(path, keep);

        var inspection = Inspect(path);

        Assert.False(inspection.IsSafe);
        Assert.Contains(inspection.Findings, f => f.Check is "malformed" or "qed");
    }

    // --- partition tables (oslo.utils' GPTInspector rules) --------------------------------------

    [Theory]
    [InlineData(false, "gpt")]
    [InlineData(true, "mbr")]
    public void Disk_partitioned_by_sgdisk_is_a_valid_partition_table(bool mbr, string variant)
    {
        var path = _folder.File("disk.raw");
        if (mbr) PartitionedDisk.Mbr(path); else PartitionedDisk.Gpt(path);

        var inspection = Inspect(path);

        Assert.True(inspection.IsSafe, inspection.DescribeFindings());
        Assert.Equal("gpt", inspection.Format);
        Assert.Equal(variant, inspection.Variant);
        Assert.Equal(QemuImg.VirtualSize("raw", path), inspection.VirtualSize);
    }

    [Fact]
    public void Gpt_protective_entry_marked_bootable_is_still_valid()
    {
        var path = _folder.File("disk.raw");
        PartitionedDisk.Gpt(path);
        ImageFile.Patch(path, PartitionedDisk.Entry(0), new byte[] { 0x80 });

        Assert.True(Inspect(path).IsSafe);
    }

    [Theory]
    [InlineData(false, 2, 0, new byte[] { 0x42 }, "partition entry 2 has boot flag 0x42")]
    [InlineData(true, 3, 0, new byte[] { 0x01 }, "partition entry 3 has boot flag 0x01")]
    [InlineData(true, 0, 0, new byte[] { 0x7f }, "partition entry 0 has boot flag 0x7F")]
    [InlineData(true, 0, 4, new byte[] { 0 }, "defines no partition")]
    [InlineData(false, 0, 4, new byte[] { 0 }, "defines no partition")]
    [InlineData(false, 0, 2, new byte[] { 3 }, "protective entry 0 starts at CHS bytes 0/3/0 (head/sector/cylinder) and LBA 1,")]
    [InlineData(false, 0, 1, new byte[] { 1 }, "protective entry 0 starts at CHS bytes 1/2/0 (head/sector/cylinder) and LBA 1,")]
    [InlineData(false, 0, 8, new byte[] { 2 }, "protective entry 0 starts at CHS bytes 0/2/0 (head/sector/cylinder) and LBA 2,")]
    [InlineData(false, 1, 4, new byte[] { 0x83 }, "must be the only partition, in entry 0; entries 0, 1 are defined")]
    [InlineData(false, 3, 4, new byte[] { 0xEE }, "must be the only partition, in entry 0; entries 0, 3 are defined")]
    public void Partition_table_breaking_a_rule_of_oslo_utils_is_malformed(bool mbr, int entry, int field, byte[] bytes, string reason)
    {
        var path = _folder.File("disk.raw");
        if (mbr) PartitionedDisk.Mbr(path); else PartitionedDisk.Gpt(path);
        if (entry == 3 && bytes[0] == 0xEE) ImageFile.Patch(path, PartitionedDisk.Entry(3), ImageFile.Read(path, PartitionedDisk.Entry(0), 16));
        ImageFile.Patch(path, PartitionedDisk.Entry(entry) + field, bytes);

        var inspection = Inspect(path);

        Assert.Equal("gpt", inspection.Format);
        var finding = Finding(inspection, "malformed");
        Assert.Contains("gpt", finding.Message);
        Assert.Contains(reason, finding.Message);
    }

    [Fact]
    public void Gpt_protective_entry_moved_out_of_entry_0_is_malformed()
    {
        var path = _folder.File("disk.raw");
        PartitionedDisk.Gpt(path);
        ImageFile.Patch(path, PartitionedDisk.Entry(1), ImageFile.Read(path, PartitionedDisk.Entry(0), 16));
        ImageFile.Patch(path, PartitionedDisk.Entry(0), new byte[16]);

        Assert.Contains("entries 1 are defined", Finding(Inspect(path), "malformed").Message);
    }

    [Fact]
    public void Data_whose_first_sector_ends_in_the_mbr_signature_is_a_partition_table_and_must_be_valid()
    {
        // As oslo.utils (and so Glance) reads it: not plain data but an invalid partition table.
        var path = _folder.RandomFile("noise.raw", 4096, seed: 3);
        ImageFile.Patch(path, 510, new byte[] { 0x55, 0xAA });
        ImageFile.Patch(path, 446, new byte[] { 0x42 });

        var inspection = Inspect(path);

        Assert.Equal("gpt", inspection.Format);
        Assert.Contains("boot flag 0x42", Finding(inspection, "malformed").Message);
    }

    [Fact]
    public void Fat_boot_sector_is_plain_data_not_a_partition_table()
    {
        var path = _folder.RandomFile("fat.raw", 4096, seed: 3);
        ImageFile.Patch(path, 0x10, new byte[] { 2 });        // two FATs
        ImageFile.Patch(path, 0x15, new byte[] { 0xF8 });     // fixed disk
        ImageFile.Patch(path, 510, new byte[] { 0x55, 0xAA });

        var inspection = Inspect(path);

        Assert.Equal("raw", inspection.Format);
        Assert.True(inspection.IsSafe, inspection.DescribeFindings());
    }

    [Fact]
    public void Hybrid_iso_whose_partition_table_is_invalid_is_still_the_iso()
    {
        Assert.True(IsoImage.XorrisoAvailable, "xorriso is required by this test (build.ps1 installs it)");
        var content = Directory.CreateDirectory(_folder.File("content")).FullName;
        File.WriteAllText(Path.Combine(content, "readme.txt"), "hello");
        var path = _folder.File("hybrid.iso");
        IsoImage.Make(path, content, hybrid: true);
        ImageFile.Patch(path, PartitionedDisk.Entry(3), new byte[] { 0x42 });

        var inspection = Inspect(path);

        // Glance, too, runs only the ISO's checks on an ISO with a partition table.
        Assert.Equal("iso", inspection.Format);
        Assert.Equal(new[] { "iso", "gpt" }, inspection.MatchedFormats);
        Assert.True(inspection.IsSafe, inspection.DescribeFindings());
    }

    // --- iso ------------------------------------------------------------------------------------

    [Theory]
    [InlineData(16 * 2048 + 7)]      // inside the primary volume descriptor
    [InlineData(16 * 2048 + 2047)]
    [InlineData(17 * 2048)]          // after it, before the set terminator
    [InlineData(17 * 2048 + 100)]    // inside the terminator
    public void Iso_cut_inside_its_volume_descriptors_is_malformed(int keep)
    {
        var path = _folder.File("cut.iso");
        IsoImage.WriteMinimal(path);
        ImageFile.Truncate(path, keep);

        var inspection = Inspect(path);

        Assert.Equal("iso", inspection.Format);
        Assert.Contains("before their set terminator", Finding(inspection, "malformed").Message);
    }

    [Fact]
    public void Iso_cut_after_its_set_terminator_is_still_an_iso()
    {
        var path = _folder.File("cut.iso");
        IsoImage.WriteMinimal(path);
        ImageFile.Truncate(path, 18 * 2048);

        var inspection = Inspect(path);

        Assert.Equal("iso", inspection.Format);
        Assert.True(inspection.IsSafe, inspection.DescribeFindings());
    }

    [Theory]
    [InlineData(-1, false)]      // the terminator's last byte missing
    [InlineData(-2048, false)]   // the terminator missing
    [InlineData(0, true)]        // whole descriptors, the data after them missing
    public void Iso_made_by_xorriso_is_malformed_only_when_cut_before_its_terminator_ends(int fromTerminatorEnd, bool safe)
    {
        Assert.True(IsoImage.XorrisoAvailable, "xorriso is required by this test (build.ps1 installs it)");
        var content = Directory.CreateDirectory(_folder.File("content")).FullName;
        File.WriteAllText(Path.Combine(content, "readme.txt"), "hello");
        var path = _folder.File("made.iso");
        IsoImage.Make(path, content);
        var terminator = Enumerable.Range(16, 32).First(s => ImageFile.Read(path, s * 2048L, 6).SequenceEqual(new byte[] { 255, 0x43, 0x44, 0x30, 0x30, 0x31 }));
        ImageFile.Truncate(path, (terminator + 1) * 2048L + fromTerminatorEnd);

        var inspection = Inspect(path);

        Assert.Equal("iso", inspection.Format);
        Assert.Equal(safe, inspection.IsSafe);
        if (!safe) Finding(inspection, "malformed");
    }

    [Fact]
    public void A_text_file_is_raw_not_a_vmdk_descriptor()
    {
        var path = _folder.File("notes.txt");
        File.WriteAllText(path, "version=1\nThese are notes about disks and their descriptors.\n");

        var inspection = Inspect(path);

        Assert.Equal("raw", inspection.Format);
        Assert.True(inspection.IsSafe);
    }
}
