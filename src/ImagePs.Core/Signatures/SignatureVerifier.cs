using System;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ImagePs.Errors;

namespace ImagePs.Signatures;

/// <summary>
/// Checks an image signature against the digest computed while the data streamed in, with the
/// public key of the named certificate, the way Glance's cursive does for each key type.
/// </summary>
internal static class SignatureVerifier
{
    private const string RsaOid = "1.2.840.113549.1.1.1";
    private const string EcOid = "1.2.840.10045.2.1";
    private const string DsaOid = "1.2.840.10040.4.1";

    /// <summary>Refuses, before any data moves, a certificate whose key cannot make this kind of signature.</summary>
    public static void CheckKey(ImageSignature signature, X509Certificate2 certificate)
    {
        var id = signature.CertificateId.ToString("D");
        var algorithm = certificate.PublicKey.Oid.Value;
        var expected = signature.KeyType switch
        {
            "RSA-PSS" => RsaOid,
            "DSA" => DsaOid,
            _ => EcOid,
        };
        if (algorithm != expected)
            throw ImageErrors.SignatureCertificateInvalid(id, $"its key is not a {signature.KeyType} key");
        if (expected == EcOid)
        {
            var curve = NamedCurve(certificate);
            if (curve != CurveOf(signature.KeyType))
                throw ImageErrors.SignatureCertificateInvalid(id, $"its key is on curve {curve ?? "(unknown)"}, not {signature.KeyType}");
        }
    }

    public static bool Verify(ImageSignature signature, X509Certificate2 certificate, byte[] digest)
    {
        try
        {
            switch (signature.KeyType)
            {
                case "RSA-PSS":
                {
                    using var rsa = certificate.GetRSAPublicKey()!;
                    return RsaPssVerifier.Verify(rsa.ExportParameters(false), digest, signature.Signature, signature.HashMethod);
                }
                case "DSA":
                {
                    using var dsa = certificate.GetDSAPublicKey()!;
                    var fixedSignature = DerSignature.ToFixed(signature.Signature, dsa.ExportParameters(false).Q!.Length);
                    return fixedSignature is not null && dsa.VerifySignature(digest, fixedSignature);
                }
                default:
                {
                    using var ecdsa = certificate.GetECDsaPublicKey()!;
                    var fixedSignature = DerSignature.ToFixed(signature.Signature, (ecdsa.KeySize + 7) / 8);
                    return fixedSignature is not null && ecdsa.VerifyHash(digest, fixedSignature);
                }
            }
        }
        catch (CryptographicException e)
        {
            throw ImageErrors.SignatureCertificateInvalid(signature.CertificateId.ToString("D"), e.Message);
        }
        catch (PlatformNotSupportedException e)
        {
            throw ImageErrors.SignatureCertificateInvalid(signature.CertificateId.ToString("D"), e.Message);
        }
    }

    private static string? CurveOf(string keyType) => keyType switch
    {
        "ECC_SECP384R1" => "1.3.132.0.34",
        "ECC_SECP521R1" => "1.3.132.0.35",
        "ECC_SECT409K1" => "1.3.132.0.36",
        "ECC_SECT409R1" => "1.3.132.0.37",
        "ECC_SECT571K1" => "1.3.132.0.38",
        "ECC_SECT571R1" => "1.3.132.0.39",
        _ => null,
    };

    /// <summary>The named curve in the key's algorithm parameters (a DER OBJECT IDENTIFIER).</summary>
    private static string? NamedCurve(X509Certificate2 certificate)
    {
        var der = certificate.PublicKey.EncodedParameters.RawData;
        if (der.Length < 3 || der[0] != 0x06 || der[1] != der.Length - 2) return null;
        var parts = new System.Collections.Generic.List<string> { (der[2] / 40).ToString(), (der[2] % 40).ToString() };
        long value = 0;
        for (var i = 3; i < der.Length; i++)
        {
            value = (value << 7) | (long)(der[i] & 0x7F);
            if ((der[i] & 0x80) != 0) continue;
            parts.Add(value.ToString());
            value = 0;
        }
        return string.Join(".", parts);
    }
}
