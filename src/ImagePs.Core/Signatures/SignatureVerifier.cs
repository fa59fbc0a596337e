using System;
using System.Formats.Asn1;
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
                    return PssSignature.Verify(rsa.ExportParameters(false), digest, signature.Signature, signature.HashMethod);
                }
                case "DSA":
                {
                    // DER (a SEQUENCE of r and s), as OpenSSL and Python's cryptography write them.
                    using var dsa = certificate.GetDSAPublicKey()!;
                    return IsWellFormedDer(signature.Signature) && dsa.VerifySignature(digest, signature.Signature, DSASignatureFormat.Rfc3279DerSequence);
                }
                default:
                {
                    using var ecdsa = certificate.GetECDsaPublicKey()!;
                    return IsWellFormedDer(signature.Signature) && ecdsa.VerifyHash(digest, signature.Signature, DSASignatureFormat.Rfc3279DerSequence);
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
        try
        {
            var reader = new AsnReader(certificate.PublicKey.EncodedParameters.RawData, AsnEncodingRules.DER);
            var curve = reader.ReadObjectIdentifier();
            return reader.HasData ? null : curve;
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    /// <summary>A signature that is one DER SEQUENCE of two INTEGERs and nothing else (a malformed one fails verification).</summary>
    internal static bool IsWellFormedDer(byte[] signature)
    {
        try
        {
            var reader = new AsnReader(signature, AsnEncodingRules.DER);
            var sequence = reader.ReadSequence();
            sequence.ReadInteger();
            sequence.ReadInteger();
            return !sequence.HasData && !reader.HasData;
        }
        catch (AsnContentException)
        {
            return false;
        }
    }
}
