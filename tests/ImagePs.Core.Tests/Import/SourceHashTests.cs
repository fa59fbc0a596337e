using System.Security.Cryptography;
using ImagePs.Import;
using Xunit;

namespace ImagePs.Tests.Import;

public class SourceHashTests
{
    [Theory]
    [InlineData("SHA256", 64, "sha256")]
    [InlineData("sha512", 128, "sha512")]
    [InlineData("MD5", 32, "md5")]
    public void A_hex_of_the_algorithms_length_is_taken_in_lower_case(string algorithm, int digits, string prefix)
    {
        var hex = string.Concat(Enumerable.Repeat("aB3", digits)).Substring(0, digits);

        var hash = SourceHash.Parse(" " + hex + " ", algorithm);

        Assert.Equal(new HashAlgorithmName(algorithm.ToUpperInvariant()), hash.Algorithm);
        Assert.Equal(hex.ToLowerInvariant(), hash.Hex);
        Assert.Equal(prefix + ":" + hex.ToLowerInvariant(), hash.Recorded);
    }

    [Theory]
    [InlineData("SHA256", 63)]
    [InlineData("SHA256", 128)]
    [InlineData("SHA512", 64)]
    [InlineData("MD5", 64)]
    [InlineData("MD5", 0)]
    public void A_hex_of_another_length_is_InvalidSourceHash(string algorithm, int digits)
    {
        var error = Assert.Throws<ImagePsException>(() => SourceHash.Parse(new string('a', digits), algorithm));

        Assert.Equal("InvalidSourceHash", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Contains(algorithm, error.Message);
    }

    [Fact]
    public void Non_hex_digits_are_InvalidSourceHash_naming_the_value()
    {
        var value = new string('a', 63) + "g";
        var error = Assert.Throws<ImagePsException>(() => SourceHash.Parse(value, "SHA256"));
        Assert.Equal("InvalidSourceHash", error.ErrorId);
        Assert.Contains(value, error.Message);
    }

    [Theory]
    [InlineData("SHA1")]
    [InlineData("")]
    [InlineData("CRC32")]
    public void An_unknown_algorithm_is_InvalidSourceHash(string algorithm)
    {
        var error = Assert.Throws<ImagePsException>(() => SourceHash.Parse(new string('a', 64), algorithm));
        Assert.Equal("InvalidSourceHash", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("SHA256, SHA512 or MD5", error.Message);
    }
}
