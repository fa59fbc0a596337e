using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using ImagePs.Errors;

namespace ImagePs.Signatures;

/// <summary>
/// Glance's signature properties on an image (cursive): the signature, the hash it signs, the key
/// type and the certificate holding the public key. All four or none; any other mix is refused
/// when the image is created, instead of silently skipping verification as Glance does.
/// </summary>
internal sealed class ImageSignature
{
    public const string SignatureProperty = "img_signature";
    public const string HashMethodProperty = "img_signature_hash_method";
    public const string KeyTypeProperty = "img_signature_key_type";
    public const string CertificateProperty = "img_signature_certificate_uuid";

    private static readonly string[] PropertyNames = { SignatureProperty, HashMethodProperty, KeyTypeProperty, CertificateProperty };

    public static IReadOnlyList<string> KeyTypes { get; } = new[]
    {
        "RSA-PSS", "ECC_SECT571K1", "ECC_SECT409K1", "ECC_SECT571R1", "ECC_SECT409R1", "ECC_SECP521R1", "ECC_SECP384R1", "DSA",
    };

    private static readonly Dictionary<string, HashAlgorithmName> HashMethods = new(StringComparer.Ordinal)
    {
        ["SHA-224"] = Store.StreamingHash.Sha224Name,
        ["SHA-256"] = HashAlgorithmName.SHA256,
        ["SHA-384"] = HashAlgorithmName.SHA384,
        ["SHA-512"] = HashAlgorithmName.SHA512,
    };

    private ImageSignature(byte[] signature, HashAlgorithmName hashMethod, string keyType, Guid certificateId)
    {
        Signature = signature;
        HashMethod = hashMethod;
        KeyType = keyType;
        CertificateId = certificateId;
    }

    public byte[] Signature { get; }
    public HashAlgorithmName HashMethod { get; }
    public string KeyType { get; }
    public Guid CertificateId { get; }

    /// <summary>The signature an image asks to be verified, null when it has none, an error when half-declared.</summary>
    public static ImageSignature? FromProperties(IReadOnlyDictionary<string, string> properties)
    {
        var present = PropertyNames.Where(properties.ContainsKey).ToList();
        if (present.Count == 0) return null;
        if (present.Count < PropertyNames.Length)
            throw ImageErrors.InvalidSignatureProperties(string.Format(Messages.ReasonSignaturePartial,
                string.Join(", ", PropertyNames.Except(present))));

        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(properties[SignatureProperty]);
        }
        catch (FormatException)
        {
            throw ImageErrors.InvalidSignatureProperties(Messages.ReasonSignatureNotBase64);
        }
        var method = properties[HashMethodProperty];
        if (!HashMethods.TryGetValue(method, out var hash))
            throw ImageErrors.InvalidSignatureProperties(string.Format(Messages.ReasonSignatureHashMethod, ImageErrors.Shorten(method)));
        var keyType = properties[KeyTypeProperty];
        if (!KeyTypes.Contains(keyType))
            throw ImageErrors.InvalidSignatureProperties(string.Format(Messages.ReasonSignatureKeyType, ImageErrors.Shorten(keyType), string.Join(", ", KeyTypes)));
        var certificate = properties[CertificateProperty];
        if (!Guid.TryParse(certificate, out var certificateId))
            throw ImageErrors.InvalidSignatureProperties(string.Format(Messages.ReasonSignatureCertificateId, ImageErrors.Shorten(certificate)));
        return new ImageSignature(signature, hash, keyType, certificateId);
    }
}
