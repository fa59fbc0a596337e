using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ImagePs.Signatures;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Signatures;

public class SignatureEncodingTests
{
    [Fact]
    public void Pss_verification_rejects_any_change()
    {
        using var rsa = RSA.Create(2048);
        var hash = SHA256.HashData(new byte[] { 1, 2, 3 });
        var signature = rsa.SignHash(hash, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
        var key = rsa.ExportParameters(false);

        Assert.True(PssSignature.Verify(key, hash, signature, HashAlgorithmName.SHA256));
        var flipped = (byte[])signature.Clone();
        flipped[100] ^= 1;
        Assert.False(PssSignature.Verify(key, hash, flipped, HashAlgorithmName.SHA256));
        var otherHash = SHA256.HashData(new byte[] { 1, 2, 4 });
        Assert.False(PssSignature.Verify(key, otherHash, signature, HashAlgorithmName.SHA256));
        Assert.False(PssSignature.Verify(key, hash, signature.Take(255).ToArray(), HashAlgorithmName.SHA256));
        Assert.False(PssSignature.Verify(key, hash, new byte[256], HashAlgorithmName.SHA256));
    }

    /// <summary>
    /// cursive signs with the longest salt (PSS.MAX_LENGTH), .NET and many tools with one as long as the
    /// hash: both verify. Any other salt length is refused (the help says so).
    /// </summary>
    [Theory]
    [InlineData("max", "sha256", true)]
    [InlineData("digest", "sha256", true)]
    [InlineData("max", "sha512", true)]
    [InlineData("digest", "sha384", true)]
    [InlineData("0", "sha256", false)]
    [InlineData("20", "sha512", false)]
    public void Openssl_pss_signatures_verify_for_the_salt_lengths_glance_signers_use(string saltLength, string digest, bool verifies)
    {
        using var folder = new TestFolder();
        var (certificatePath, keyPath) = OpenSsl.SelfSigned(folder, "signer", "-newkey", "rsa:2048");
        var data = folder.RandomFile("disk.raw", 100_000);
        var signature = Convert.FromBase64String(OpenSsl.Sign(keyPath, digest, data, "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:" + saltLength));
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(certificatePath));
        using var rsa = certificate.GetRSAPublicKey()!;
        var name = new HashAlgorithmName(digest.ToUpperInvariant());
        var hash = ImagePs.Store.StreamingHash.Compute(name, File.ReadAllBytes(data));

        Assert.Equal(verifies, PssSignature.Verify(rsa.ExportParameters(false), hash, signature, name));
    }

    [Fact]
    public void A_der_signature_is_one_sequence_of_two_integers()
    {
        Assert.True(SignatureVerifier.IsWellFormedDer(new byte[] { 0x30, 0x07, 0x02, 0x02, 0x00, 0xFF, 0x02, 0x01, 0x01 }));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x30 })]
    [InlineData(new byte[] { 0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01 })]
    [InlineData(new byte[] { 0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01 })]
    [InlineData(new byte[] { 0x30, 0x06, 0x02, 0x09, 0x01, 0x02, 0x01, 0x01 })]
    [InlineData(new byte[] { 0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01 })]
    [InlineData(new byte[] { 0x30, 0x08, 0x02, 0x04, 0x01, 0x02, 0x03, 0x04, 0x02, 0x00 })]
    public void Malformed_der_is_refused(byte[] der)
    {
        Assert.False(SignatureVerifier.IsWellFormedDer(der));
    }
}
