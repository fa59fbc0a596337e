using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;

namespace ImagePs.Signatures;

/// <summary>
/// RSASSA-PSS verification of a digest, by BouncyCastle, for the salt lengths Glance's signers
/// produce: the longest the key allows (cursive and OpenSSL sign that way by default) and one as
/// long as the hash (what .NET and most other signers write). .NET alone verifies only the second.
/// MGF1 uses the same hash as the signature, as cursive's does.
/// </summary>
internal static class PssSignature
{
    public static bool Verify(RSAParameters key, byte[] digest, byte[] signature, HashAlgorithmName hash)
    {
        var publicKey = new RsaKeyParameters(false, new BigInteger(1, key.Modulus!), new BigInteger(1, key.Exponent!));
        var hashLength = digest.Length;
        var encodedLength = (publicKey.Modulus.BitLength - 1 + 7) / 8;
        var longestSalt = encodedLength - hashLength - 2;
        foreach (var saltLength in new[] { longestSalt, hashLength })
        {
            if (saltLength < 0) continue;
            var signer = PssSigner.CreateRawSigner(new RsaEngine(), Digest(hash), Digest(hash), saltLength, PssSigner.TrailerImplicit);
            signer.Init(false, publicKey);
            signer.BlockUpdate(digest, 0, digest.Length);
            try
            {
                if (signer.VerifySignature(signature)) return true;
            }
            catch (CryptoException)
            {
                return false; // not a signature of this key at all (wrong length, out of range)
            }
        }
        return false;
    }

    private static IDigest Digest(HashAlgorithmName hash) => hash.Name switch
    {
        "SHA224" => new Sha224Digest(),
        "SHA256" => new Sha256Digest(),
        "SHA384" => new Sha384Digest(),
        _ => new Sha512Digest(),
    };
}
