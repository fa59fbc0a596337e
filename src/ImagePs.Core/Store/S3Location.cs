using System;
using ImagePs.Errors;

namespace ImagePs.Store;

/// <summary>
/// Locations in the S3 store: <c>s3://&lt;bucket&gt;/&lt;image id&gt;</c>. Only locations in the store's own
/// bucket whose key is an image id are accepted: a tampered catalog row must never make ImagePs read
/// or delete another object.
/// </summary>
internal static class S3Location
{
    public const string Scheme = "s3";

    public static string Of(string bucket, string key) => $"{Scheme}://{bucket}/{key}";

    public static string KeyOf(Guid imageId) => imageId.ToString("D");

    /// <summary>The object key behind <paramref name="location"/>, or <c>InvalidLocation</c>.</summary>
    public static string Parse(string location, string bucket)
    {
        var prefix = $"{Scheme}://{bucket}/";
        if (location is null || !location.StartsWith(prefix, StringComparison.Ordinal)) throw ImageErrors.InvalidLocation(location ?? "");
        var key = location.Substring(prefix.Length);
        if (!Guid.TryParseExact(key, "D", out var id) || KeyOf(id) != key) throw ImageErrors.InvalidLocation(location);
        return key;
    }
}
