using System.Security.Cryptography;
using ImagePs.Import;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Import;

/// <summary>Checksum files as the real sha256sum, sha512sum and md5sum write them.</summary>
public class ChecksumFileTests
{
    private static (TestFolder Folder, string[] Names) Files()
    {
        var folder = new TestFolder();
        var names = new[] { "debian-12-genericcloud-amd64.qcow2", "disk with spaces.img", "other.raw" };
        for (var i = 0; i < names.Length; i++) folder.RandomFile(names[i], 10_000 + i, seed: i + 1);
        return (folder, names);
    }

    private static string Hex(HashAlgorithmName algorithm, string path)
    {
        var bytes = File.ReadAllBytes(path);
        var hash = algorithm == HashAlgorithmName.MD5 ? MD5.HashData(bytes) : algorithm == HashAlgorithmName.SHA256 ? SHA256.HashData(bytes) : SHA512.HashData(bytes);
        return Convert.ToHexString(hash).ToLowerInvariant();
    }

    public static TheoryData<string, string> Tools => new()
    {
        { "sha256sum", "SHA256" },
        { "sha512sum", "SHA512" },
        { "md5sum", "MD5" },
        { "sha256sum --tag", "SHA256" },
        { "sha512sum --tag", "SHA512" },
        { "sha256sum -b", "SHA256" },
    };

    [Theory]
    [MemberData(nameof(Tools))]
    public void Every_file_is_found_in_the_tools_output_with_its_algorithm_and_hash(string tool, string algorithm)
    {
        var (folder, names) = Files();
        using (folder)
        {
            var text = CompressedFiles.Shell("cd \"$1\" && " + tool + " -- \"$2\" \"$3\" \"$4\"", folder.Path, names[0], names[1], names[2]);
            if (tool.EndsWith("-b", StringComparison.Ordinal)) Assert.Contains(" *" + names[0], text);
            if (tool.Contains("--tag", StringComparison.Ordinal)) Assert.StartsWith(algorithm + " (", text);

            Assert.Equal(3, ChecksumFile.Parse(text, "SUMS").Count);
            foreach (var name in names)
            {
                var entry = ChecksumFile.Find(text, "SUMS", name);
                Assert.Equal(name, entry.FileName);
                Assert.Equal(new HashAlgorithmName(algorithm), entry.Algorithm);
                Assert.Equal(Hex(entry.Algorithm, folder.File(name)), entry.Hex);
            }
        }
    }

    [Fact]
    public void CRLF_line_ends_comments_and_blank_lines_are_tolerated()
    {
        var (folder, names) = Files();
        using (folder)
        {
            var text = "# SHA256 checksums of the images\n\n" + CompressedFiles.Shell("cd \"$1\" && sha256sum -- \"$2\" \"$3\"", folder.Path, names[0], names[1]);
            text = text.Replace("\n", "\r\n");

            var entry = ChecksumFile.Find(text, "SHA256SUMS", names[1]);

            Assert.Equal(names[1], entry.FileName);
            Assert.Equal(Hex(HashAlgorithmName.SHA256, folder.File(names[1])), entry.Hex);
        }
    }

    [Fact]
    public void A_path_prefixed_entry_is_found_by_its_last_segment()
    {
        var (folder, names) = Files();
        using (folder)
        {
            Directory.CreateDirectory(folder.File("images"));
            File.Copy(folder.File(names[0]), folder.File("images/" + names[0]));
            var text = CompressedFiles.Shell("cd \"$1\" && sha512sum ./\"$2\" images/\"$2\"", folder.Path, names[0]);
            Assert.Contains("./" + names[0], text);

            var entry = ChecksumFile.Find(text, "SHA512SUMS", names[0]);

            Assert.Equal("./" + names[0], entry.FileName);
            Assert.Equal(Hex(HashAlgorithmName.SHA512, folder.File(names[0])), entry.Hex);
        }
    }

    [Fact]
    public void A_name_with_a_backslash_is_unescaped_as_GNU_tools_write_it()
    {
        using var folder = new TestFolder();
        var name = "back\\slash.img";
        folder.RandomFile(name, 1000);
        var text = CompressedFiles.Shell("cd \"$1\" && sha256sum -- \"$2\"", folder.Path, name);
        Assert.StartsWith("\\", text);

        var entry = ChecksumFile.Find(text, "SHA256SUMS", name);

        Assert.Equal(Hex(HashAlgorithmName.SHA256, folder.File(name)), entry.Hex);
    }

    [Fact]
    public void A_PGP_clear_signed_file_is_read_for_its_signed_lines()
    {
        var (folder, names) = Files();
        using (folder)
        {
            var sums = CompressedFiles.Shell("cd \"$1\" && sha256sum --tag -- \"$2\"", folder.Path, names[0]);
            var text = "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n# Fedora-Cloud: 10000 bytes\n" + sums +
                "- -----not a line of the file-----\n-----BEGIN PGP SIGNATURE-----\n\niQIzBAEBCAAdFiEE0000000000000000000000000000000000000000\n" +
                "=abcd\n-----END PGP SIGNATURE-----\n";

            var entries = ChecksumFile.Parse(text, "CHECKSUM");

            var entry = Assert.Single(entries);
            Assert.Equal(names[0], entry.FileName);
            Assert.Equal(Hex(HashAlgorithmName.SHA256, folder.File(names[0])), entry.Hex);
        }
    }

    [Fact]
    public void A_file_not_listed_is_ChecksumNotListed_naming_it_and_the_checksum_file()
    {
        var (folder, names) = Files();
        using (folder)
        {
            var text = CompressedFiles.Shell("cd \"$1\" && sha256sum -- \"$2\"", folder.Path, names[0]);

            var error = Assert.Throws<ImagePsException>(() => ChecksumFile.Find(text, "https://cloud.example.org/SHA256SUMS", "debian-12.qcow2"));

            Assert.Equal("ChecksumNotListed", error.ErrorId);
            Assert.Equal(ErrorKind.ObjectNotFound, error.Kind);
            Assert.Contains("'debian-12.qcow2'", error.Message);
            Assert.Contains("https://cloud.example.org/SHA256SUMS", error.Message);
            Assert.Contains(names[0], error.Message);
        }
    }

    [Fact]
    public void Names_match_exactly_not_by_case_or_prefix()
    {
        const string text = "0123456789abcdef0123456789abcdef  Disk.img\n";
        Assert.Equal("ChecksumNotListed", Assert.Throws<ImagePsException>(() => ChecksumFile.Find(text, "MD5SUMS", "disk.img")).ErrorId);
        Assert.Equal("ChecksumNotListed", Assert.Throws<ImagePsException>(() => ChecksumFile.Find(text, "MD5SUMS", "Disk")).ErrorId);
        Assert.Equal(HashAlgorithmName.MD5, ChecksumFile.Find(text, "MD5SUMS", "Disk.img").Algorithm);
    }

    [Fact]
    public void A_file_with_no_checksum_line_is_ChecksumFileInvalid()
    {
        var error = Assert.Throws<ImagePsException>(() => ChecksumFile.Parse("<html><body>Not Found</body></html>\n", "https://example.test/SUMS"));
        Assert.Equal("ChecksumFileInvalid", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, error.Kind);
        Assert.Contains("https://example.test/SUMS", error.Message);
    }
}
