using System.Security.Cryptography;
using ImagePs.Signatures;
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

        Assert.True(RsaPssVerifier.Verify(key, hash, signature, HashAlgorithmName.SHA256));
        var flipped = (byte[])signature.Clone();
        flipped[100] ^= 1;
        Assert.False(RsaPssVerifier.Verify(key, hash, flipped, HashAlgorithmName.SHA256));
        var otherHash = SHA256.HashData(new byte[] { 1, 2, 4 });
        Assert.False(RsaPssVerifier.Verify(key, otherHash, signature, HashAlgorithmName.SHA256));
        Assert.False(RsaPssVerifier.Verify(key, hash, signature.Take(255).ToArray(), HashAlgorithmName.SHA256));
        Assert.False(RsaPssVerifier.Verify(key, hash, new byte[256], HashAlgorithmName.SHA256));
    }

    [Fact]
    public void Der_signatures_become_fixed_width()
    {
        // SEQUENCE { INTEGER 0x00FF (positive, padded), INTEGER 0x01 }
        var der = new byte[] { 0x30, 0x07, 0x02, 0x02, 0x00, 0xFF, 0x02, 0x01, 0x01 };

        Assert.Equal(new byte[] { 0x00, 0x00, 0xFF, 0x00, 0x00, 0x01 }, DerSignature.ToFixed(der, 3));
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
        Assert.Null(DerSignature.ToFixed(der, 3));
    }
}
