using System;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using ImagePs.Settings;

namespace ImagePs.Store;

/// <summary>
/// One S3 client per endpoint and credentials for the whole process (clients are thread-safe and
/// keep their HTTP connections warm between cmdlets), configured to work with any S3 server:
/// path-style addressing by default, checksums only where the API requires them (Ceph RGW 16 refuses
/// the SDK's default chunked uploads with a checksum trailer), a few retries.
/// </summary>
internal static class S3Clients
{
    private static readonly ConcurrentDictionary<string, IAmazonS3> Clients = new(StringComparer.Ordinal);

    public static IAmazonS3 For(StoreSettings settings)
    {
        var key = string.Join("|", settings.ServiceUrl, settings.Region, settings.ForcePathStyle, settings.AccessKey, Fingerprint(settings.SecretKey!));
        return Clients.GetOrAdd(key, _ => Create(settings));
    }

    private static IAmazonS3 Create(StoreSettings settings)
    {
        var config = new AmazonS3Config
        {
            ServiceURL = settings.ServiceUrl!.AbsoluteUri,
            AuthenticationRegion = settings.Region,
            ForcePathStyle = settings.ForcePathStyle,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            MaxErrorRetry = 3,
        };
        return new AmazonS3Client(new BasicAWSCredentials(settings.AccessKey, settings.SecretKey), config);
    }

    /// <summary>The cache key holds a hash of the secret, not the secret.</summary>
    private static string Fingerprint(string secret)
    {
        using var sha = SHA256.Create();
        return Convert.ToBase64String(sha.ComputeHash(Encoding.UTF8.GetBytes(secret)));
    }
}
