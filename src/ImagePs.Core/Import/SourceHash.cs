using System;
using System.Security.Cryptography;
using ImagePs.Errors;

namespace ImagePs.Import;

/// <summary>
/// A hash the caller gives for the bytes fetched (-SourceHash with -SourceHashAlgorithm), before any
/// decompression or conversion; recorded on the image as <c>imageps_source_hash</c>.
/// </summary>
internal sealed record SourceHash(HashAlgorithmName Algorithm, string Hex)
{
    /// <summary>Validates the algorithm (SHA256, SHA512, MD5) and the hex digits' count for it.</summary>
    public static SourceHash Parse(string hex, string algorithm)
    {
        var name = HashNames.FromName(algorithm ?? "") ?? throw ImageErrors.InvalidSourceHashAlgorithm(algorithm ?? "");
        var value = (hex ?? "").Trim();
        if (!HashNames.IsHexOfLength(value, HashNames.HexLength(name)))
            throw ImageErrors.InvalidSourceHash(value, HashNames.Label(name), HashNames.HexLength(name));
        return new SourceHash(name, value.ToLowerInvariant());
    }

    /// <summary>The <c>sha256:&lt;hex&gt;</c> form of the read-only property imageps_source_hash.</summary>
    public string Recorded => HashNames.Prefix(Algorithm) + ":" + Hex;
}
