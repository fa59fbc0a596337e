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
        QemuImg.CreateLuks(path, "16M");
        ImageFile.Patch(path, 6, new byte[] { 0, 2 });

        Finding(Inspect(path), "unsupported-version");
    }

    [Fact]
    public void Luks_payload_past_the_end_is_malformed()
    {
        var path = _folder.File("disk.luks");
        QemuImg.CreateLuks(path, "16M");
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

    [Fact]
    public void A_mbr_with_invalid_boot_flags_is_plain_data()
    {
        var path = _folder.RandomFile("noise.raw", 4096, seed: 3);
        ImageFile.Patch(path, 510, new byte[] { 0x55, 0xAA });
        ImageFile.Patch(path, 446, new byte[] { 0x42 });

        var inspection = Inspect(path);

        Assert.Equal("raw", inspection.Format);
        Assert.True(inspection.IsSafe);
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
