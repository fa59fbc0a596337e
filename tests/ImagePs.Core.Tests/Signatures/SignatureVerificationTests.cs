using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ImagePs.Catalog;
using ImagePs.Domain;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Signatures;

/// <summary>Glance's image signatures, made with openssl (and .NET), verified during the upload.</summary>
public class SignatureVerificationTests
{
    private static Image SignedImage(TestRepository repository, string signature, string hashMethod, string keyType, Guid certificate) =>
        repository.Service.CreateImage(new ImageDraft
        {
            Name = "signed", DiskFormat = "raw", ContainerFormat = "bare",
            Properties =
            {
                ["img_signature"] = signature,
                ["img_signature_hash_method"] = hashMethod,
                ["img_signature_key_type"] = keyType,
                ["img_signature_certificate_uuid"] = certificate.ToString(),
            },
        });

    private static Guid Trust(TestRepository repository, string certificatePem)
    {
        var id = Guid.NewGuid();
        Directory.CreateDirectory(repository.Folder.CertificatesPath);
        File.Copy(certificatePem, Path.Combine(repository.Folder.CertificatesPath, id + ".pem"));
        return id;
    }

    public static IEnumerable<object[]> OpenSslSignatures() => new[]
    {
        new object[] { "RSA-PSS", "SHA-256", "sha256", new[] { "-newkey", "rsa:2048" }, new[] { "-sigopt", "rsa_padding_mode:pss" } },
        new object[] { "RSA-PSS", "SHA-384", "sha384", new[] { "-newkey", "rsa:3072" }, new[] { "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:max" } },
        new object[] { "RSA-PSS", "SHA-224", "sha224", new[] { "-newkey", "rsa:2048" }, new[] { "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:max" } },
        new object[] { "RSA-PSS", "SHA-512", "sha512", new[] { "-newkey", "rsa:2048" }, new[] { "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest" } },
        new object[] { "ECC_SECP384R1", "SHA-384", "sha384", new[] { "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp384r1" }, Array.Empty<string>() },
        new object[] { "ECC_SECP521R1", "SHA-512", "sha512", new[] { "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp521r1" }, Array.Empty<string>() },
        new object[] { "ECC_SECP521R1", "SHA-256", "sha256", new[] { "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp521r1" }, Array.Empty<string>() },
    };

    [Theory]
    [MemberData(nameof(OpenSslSignatures))]
    public void Openssl_signatures_verify_and_the_image_becomes_active(string keyType, string hashMethod, string digest, string[] keyOptions, string[] signOptions)
    {
        using var repository = new TestRepository();
        var (certificate, key) = OpenSsl.SelfSigned(repository.Scratch, "signer", keyOptions);
        var data = repository.Scratch.RandomFile("disk.raw", 5 << 20);
        var image = SignedImage(repository, OpenSsl.Sign(key, digest, data, signOptions), hashMethod, keyType, Trust(repository, certificate));

        var uploaded = repository.Service.UploadData(image.Id, data, null, CancellationToken.None);

        Assert.Equal(ImageStatus.Active, uploaded.Status);
    }

    [Fact]
    public void Dsa_signatures_verify()
    {
        using var repository = new TestRepository();
        var parameters = repository.Scratch.File("dsa.params");
        OpenSsl.Run("dsaparam", "-out", parameters, "2048");
        var (certificate, key) = OpenSsl.SelfSigned(repository.Scratch, "dsa", "-newkey", "dsa:" + parameters);
        var data = repository.Scratch.RandomFile("disk.raw", 100_000);
        var image = SignedImage(repository, OpenSsl.Sign(key, "sha256", data), "SHA-256", "DSA", Trust(repository, certificate));

        Assert.Equal(ImageStatus.Active, repository.Service.UploadData(image.Id, data, null, CancellationToken.None).Status);
    }

    [Fact]
    public void A_dotnet_pss_signature_verifies_too()
    {
        using var repository = new TestRepository();
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=imageps-dotnet", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var pem = repository.Scratch.File("dotnet.pem");
        File.WriteAllText(pem, certificate.ExportCertificatePem());
        var data = repository.Scratch.RandomFile("disk.raw", 70_000);
        var signature = rsa.SignData(File.ReadAllBytes(data), HashAlgorithmName.SHA512, RSASignaturePadding.Pss);
        var image = SignedImage(repository, Convert.ToBase64String(signature), "SHA-512", "RSA-PSS", Trust(repository, pem));

        Assert.Equal(ImageStatus.Active, repository.Service.UploadData(image.Id, data, null, CancellationToken.None).Status);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_signature_over_other_data_fails_and_undoes_the_upload(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var (certificate, key) = OpenSsl.SelfSigned(repository.Scratch, "signer", "-newkey", "rsa:2048");
        var data = repository.Scratch.RandomFile("disk.raw", 200_000);
        var tampered = repository.Scratch.RandomFile("tampered.raw", 200_000, seed: 2);
        var image = SignedImage(repository, OpenSsl.Sign(key, "sha256", data, "-sigopt", "rsa_padding_mode:pss"), "SHA-256", "RSA-PSS", Trust(repository, certificate));

        var error = Assert.Throws<ImagePsException>(() => repository.Service.UploadData(image.Id, tampered, null, CancellationToken.None));

        Assert.Equal("SignatureVerificationFailed", error.ErrorId);
        Assert.Equal(ErrorKind.SecurityError, error.Kind);
        Assert.Equal(ImageStatus.Queued, repository.Service.GetImage(image.Id).Status);
        Assert.Empty(repository.StoreFiles());
    }

    [Fact]
    public void A_key_of_another_type_is_refused_before_any_data_moves()
    {
        using var repository = new TestRepository();
        var (certificate, key) = OpenSsl.SelfSigned(repository.Scratch, "signer", "-newkey", "rsa:2048");
        var data = repository.Scratch.RandomFile("disk.raw", 1000);
        var image = SignedImage(repository, OpenSsl.Sign(key, "sha384", data), "SHA-384", "ECC_SECP384R1", Trust(repository, certificate));

        var error = Assert.Throws<ImagePsException>(() => repository.Service.UploadData(image.Id, data, null, CancellationToken.None));

        Assert.Equal("SignatureCertificateInvalid", error.ErrorId);
        Assert.DoesNotContain(repository.Observer.ProgressReports, p => p.BytesDone > 0);
        Assert.Equal(ImageStatus.Queued, repository.Service.GetImage(image.Id).Status);
    }

    [Fact]
    public void An_unknown_certificate_is_refused()
    {
        using var repository = new TestRepository();
        var data = repository.Scratch.RandomFile("disk.raw", 1000);
        var image = SignedImage(repository, Convert.ToBase64String(new byte[256]), "SHA-256", "RSA-PSS", Guid.NewGuid());

        var error = Assert.Throws<ImagePsException>(() => repository.Service.UploadData(image.Id, data, null, CancellationToken.None));

        Assert.Equal("SignatureCertificateNotFound", error.ErrorId);
        Assert.Equal(ErrorKind.ObjectNotFound, error.Kind);
        Assert.Equal(ImageStatus.Queued, repository.Service.GetImage(image.Id).Status);
    }

    [Fact]
    public void An_expired_certificate_is_refused()
    {
        using var repository = new TestRepository();
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=expired", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddYears(-3), DateTimeOffset.UtcNow.AddYears(-2));
        var pem = repository.Scratch.File("expired.pem");
        File.WriteAllText(pem, certificate.ExportCertificatePem());
        var data = repository.Scratch.RandomFile("disk.raw", 1000);
        var signature = rsa.SignData(File.ReadAllBytes(data), HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
        var image = SignedImage(repository, Convert.ToBase64String(signature), "SHA-256", "RSA-PSS", Trust(repository, pem));

        var error = Assert.Throws<ImagePsException>(() => repository.Service.UploadData(image.Id, data, null, CancellationToken.None));

        Assert.Equal("SignatureCertificateInvalid", error.ErrorId);
        Assert.Contains("valid from", error.Message);
    }

    public static IEnumerable<object[]> BadProperties() => new[]
    {
        new object[] { new Dictionary<string, string> { ["img_signature"] = "AAAA" }, "missing" },
        new object[] { new Dictionary<string, string> { ["img_signature"] = "AAAA", ["img_signature_hash_method"] = "SHA-256", ["img_signature_key_type"] = "RSA-PSS" }, "img_signature_certificate_uuid" },
        new object[] { Full("not base64!", "SHA-256", "RSA-PSS", Guid.NewGuid().ToString()), "base64" },
        new object[] { Full("AAAA", "MD5", "RSA-PSS", Guid.NewGuid().ToString()), "MD5" },
        new object[] { Full("AAAA", "SHA-256", "RSA-PKCS1", Guid.NewGuid().ToString()), "RSA-PKCS1" },
        new object[] { Full("AAAA", "SHA-256", "RSA-PSS", "../../etc/passwd"), "../../etc/passwd" },
    };

    private static Dictionary<string, string> Full(string signature, string hash, string keyType, string certificate) => new()
    {
        ["img_signature"] = signature, ["img_signature_hash_method"] = hash,
        ["img_signature_key_type"] = keyType, ["img_signature_certificate_uuid"] = certificate,
    };

    [Theory]
    [MemberData(nameof(BadProperties))]
    public void Incomplete_or_invalid_signature_properties_are_refused_at_creation(Dictionary<string, string> properties, string named)
    {
        using var repository = new TestRepository();
        var draft = new ImageDraft { Name = "x", DiskFormat = "raw", ContainerFormat = "bare" };
        foreach (var property in properties) draft.Properties[property.Key] = property.Value;

        var error = Assert.Throws<ImagePsException>(() => repository.Service.CreateImage(draft));

        Assert.Equal("InvalidSignatureProperties", error.ErrorId);
        Assert.Contains(named, error.Message);
        Assert.Empty(repository.Service.FindImages(ImageQuery.All));
    }
}
