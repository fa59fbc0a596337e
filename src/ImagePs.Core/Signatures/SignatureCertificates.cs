using System;
using System.IO;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ImagePs.Errors;

namespace ImagePs.Signatures;

/// <summary>
/// The certificates ImagePs trusts for image signatures: files named &lt;uuid&gt;.pem, .crt or .cer
/// (PEM or DER) in one folder, by default the repository's certificates folder. Putting a
/// certificate there is the act of trusting it (Glance asks its key manager, castellan, instead).
/// </summary>
internal sealed class SignatureCertificates
{
    private static readonly string[] Extensions = { ".pem", ".crt", ".cer" };

    public SignatureCertificates(string folder)
    {
        Folder = folder;
    }

    public string Folder { get; }

    /// <summary>The certificate, checked to be within its validity period now.</summary>
    public X509Certificate2 Load(Guid certificateId, DateTime utcNow)
    {
        var id = certificateId.ToString("D");
        foreach (var extension in Extensions)
        {
            var path = Path.Combine(Folder, id + extension);
            if (!File.Exists(path)) continue;
            X509Certificate2 certificate;
            try
            {
                certificate = new X509Certificate2(Decode(File.ReadAllBytes(path)));
            }
            catch (Exception e) when (e is CryptographicException or FormatException or IOException)
            {
                throw ImageErrors.SignatureCertificateInvalid(id, e.Message);
            }
            if (utcNow < certificate.NotBefore.ToUniversalTime() || utcNow > certificate.NotAfter.ToUniversalTime())
                throw ImageErrors.SignatureCertificateInvalid(id,
                    $"valid from {certificate.NotBefore.ToUniversalTime():u} to {certificate.NotAfter.ToUniversalTime():u}");
            return certificate;
        }
        throw ImageErrors.SignatureCertificateNotFound(id, Folder);
    }

    /// <summary>DER as is; PEM's first CERTIFICATE block decoded.</summary>
    private static byte[] Decode(byte[] content)
    {
        var text = Encoding.ASCII.GetString(content);
        const string begin = "-----BEGIN CERTIFICATE-----";
        const string end = "-----END CERTIFICATE-----";
        var start = text.IndexOf(begin, StringComparison.Ordinal);
        if (start < 0) return content;
        start += begin.Length;
        var stop = text.IndexOf(end, start, StringComparison.Ordinal);
        if (stop < 0) throw new FormatException("PEM certificate without an END line");
        return Convert.FromBase64String(text.Substring(start, stop - start));
    }
}
