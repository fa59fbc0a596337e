using System;
using System.Security.Cryptography;

namespace ImagePs.Import;

/// <summary>The source-hash algorithms Import-Image takes (MD5, SHA-256, SHA-512) and their names.</summary>
internal static class HashNames
{
    /// <summary>SHA256, SHA512, MD5 (case-insensitive; also SHA-256, SHA2-256 as BSD-style files write them).</summary>
    public static HashAlgorithmName? FromName(string name) => name.Trim().ToUpperInvariant() switch
    {
        "SHA256" or "SHA-256" or "SHA2-256" => HashAlgorithmName.SHA256,
        "SHA512" or "SHA-512" or "SHA2-512" => HashAlgorithmName.SHA512,
        "MD5" => HashAlgorithmName.MD5,
        _ => null,
    };

    /// <summary>The algorithm a GNU-style line's hex length implies (md5sum, sha256sum, sha512sum).</summary>
    public static HashAlgorithmName? FromHexLength(int length) => length switch
    {
        32 => HashAlgorithmName.MD5,
        64 => HashAlgorithmName.SHA256,
        128 => HashAlgorithmName.SHA512,
        _ => null,
    };

    public static int HexLength(HashAlgorithmName algorithm) =>
        algorithm == HashAlgorithmName.MD5 ? 32 : algorithm == HashAlgorithmName.SHA256 ? 64 : 128;

    public static string Label(HashAlgorithmName algorithm) =>
        algorithm == HashAlgorithmName.MD5 ? "MD5" : algorithm == HashAlgorithmName.SHA256 ? "SHA256" : "SHA512";

    public static string Prefix(HashAlgorithmName algorithm) => Label(algorithm).ToLowerInvariant();

    public static bool IsHexOfLength(string value, int length)
    {
        if (value.Length != length) return false;
        foreach (var c in value)
        {
            if (!Uri.IsHexDigit(c)) return false;
        }
        return true;
    }
}
