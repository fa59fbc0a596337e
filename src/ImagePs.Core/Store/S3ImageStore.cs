using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using ImagePs.Errors;
using ImagePs.Settings;

namespace ImagePs.Store;

/// <summary>
/// The store on an S3 API (glance_store's s3 driver; tested against Ceph RGW): one object per image,
/// named by its id, in one bucket, created on first use. An upload is the filesystem store's single
/// pass (SinglePassCopier: MD5, SHA-512 and any signature hash on their own threads) writing into a
/// streaming multipart upload (<see cref="S3MultipartWriter"/>); any failure aborts it, so a failed
/// upload leaves nothing in the bucket. Reads are ranged GETs (<see cref="S3ObjectStream"/>). The
/// credentials live in the client only: locations (<c>s3://bucket/id</c>) and messages never hold them.
/// </summary>
internal sealed class S3ImageStore : IImageStore
{
    /// <summary>Buckets known to exist, per endpoint: checked (and created) once per process.</summary>
    private static readonly ConcurrentDictionary<string, bool> KnownBuckets = new(StringComparer.Ordinal);

    private readonly IAmazonS3 _client;
    private readonly StoreSettings _settings;
    private readonly bool _https;

    public S3ImageStore(StoreSettings settings)
        : this(S3Clients.For(settings), settings)
    {
    }

    internal S3ImageStore(IAmazonS3 client, StoreSettings settings)
    {
        _client = client;
        _settings = settings;
        Bucket = settings.Bucket!;
        Endpoint = settings.ServiceUrl!.GetLeftPart(UriPartial.Authority);
        _https = settings.ServiceUrl.Scheme == Uri.UriSchemeHttps;
    }

    public string Bucket { get; }

    /// <summary>scheme://host:port of the S3 API, for messages.</summary>
    public string Endpoint { get; }

    internal IAmazonS3 Client => _client;

    public StoredData Add(Guid imageId, Stream data, StoreAddOptions options, CancellationToken cancellationToken)
    {
        var key = S3Location.KeyOf(imageId);
        var location = S3Location.Of(Bucket, key);
        try
        {
            EnsureBucket();
            if (Length(key) is not null) throw ImageErrors.DataAlreadyStored(imageId, location);
        }
        catch (Exception e) when (e is not ImagePsException)
        {
            throw Classify(e, location, writing: true);
        }

        using var writer = new S3MultipartWriter(_client, Bucket, key, options.ExpectedSize, _settings.PartSize, _settings.ConcurrentParts, _https, cancellationToken);
        try
        {
            var copied = SinglePassCopier.Copy(imageId, data, writer, options.ExpectedSize, SourceName(data),
                options.ExtraHashes, options.Progress, cancellationToken);
            return new StoredData(location, copied.Size, copied.Md5, SinglePassCopier.HashAlgo, copied.Sha512, copied.Digests);
        }
        catch (Exception e)
        {
            writer.Abort();
            var classified = Classify(e, location, writing: true);
            if (ReferenceEquals(classified, e)) throw;
            throw classified;
        }
    }

    /// <summary>
    /// A seekable stream over the object. Data that is not there is a <see cref="FileNotFoundException"/>
    /// (the download reports ImageDataMissing); a store that cannot be read is an ImagePs error.
    /// </summary>
    public Stream OpenRead(string location)
    {
        var key = S3Location.Parse(location, Bucket);
        long? length;
        try
        {
            length = Length(key);
        }
        catch (Exception e) when (e is not ImagePsException)
        {
            throw Classify(e, location, writing: false);
        }
        if (length is null) throw new FileNotFoundException(string.Format(Messages.ImageDataMissingInStore, location), location);
        return new S3ObjectStream(_client, Bucket, key, length.Value, location);
    }

    public void Delete(string location)
    {
        var key = S3Location.Parse(location, Bucket);
        try
        {
            Run(_client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = key }));
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            // Gone already (or the bucket is): nothing to delete.
        }
        catch (Exception e) when (e is not ImagePsException)
        {
            throw Classify(e, location, writing: true);
        }
    }

    /// <summary>Aborts every multipart upload into the image's key and deletes an object never committed to the catalog.</summary>
    public void DeleteLeftovers(Guid imageId)
    {
        var key = S3Location.KeyOf(imageId);
        var location = S3Location.Of(Bucket, key);
        try
        {
            string? keyMarker = null, uploadMarker = null;
            while (true)
            {
                var page = Run(_client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest
                {
                    BucketName = Bucket, Prefix = key, KeyMarker = keyMarker, UploadIdMarker = uploadMarker,
                }));
                foreach (var upload in page.MultipartUploads ?? new())
                {
                    if (upload.Key != key) continue;
                    Run(_client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = Bucket, Key = key, UploadId = upload.UploadId }));
                }
                if (page.IsTruncated != true) break;
                keyMarker = page.NextKeyMarker;
                uploadMarker = page.NextUploadIdMarker;
            }
            Run(_client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = key }));
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            // No bucket: nothing was ever stored.
        }
        catch (Exception e) when (e is not ImagePsException)
        {
            throw Classify(e, location, writing: true);
        }
    }

    public IEnumerable<(Guid ImageId, string Location)> ListData()
    {
        var found = new List<(Guid, string)>();
        try
        {
            string? token = null;
            do
            {
                var page = Run(_client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, ContinuationToken = token }));
                foreach (var item in page.S3Objects ?? new())
                {
                    // Only keys that are exactly an image id: another object in the bucket is never touched.
                    if (Guid.TryParseExact(item.Key, "D", out var id) && S3Location.KeyOf(id) == item.Key) found.Add((id, S3Location.Of(Bucket, item.Key)));
                }
                token = page.IsTruncated == true ? page.NextContinuationToken : null;
            }
            while (token is not null);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            // No bucket: nothing stored.
        }
        catch (Exception e) when (e is not ImagePsException)
        {
            throw Classify(e, S3Location.Of(Bucket, ""), writing: false);
        }
        return found;
    }

    /// <summary>qemu-img cannot read objects: none.</summary>
    public string? GetLocalPath(string location) => null;

    /// <summary>The object's size, or null when there is none.</summary>
    private long? Length(string key)
    {
        try
        {
            return Run(_client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = key })).ContentLength;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Creates the bucket when it does not exist; credentials that may not is StoreAccessDenied naming it.</summary>
    private void EnsureBucket()
    {
        var known = Endpoint + "/" + Bucket;
        if (KnownBuckets.ContainsKey(known)) return;
        try
        {
            Run(_client.HeadBucketAsync(new HeadBucketRequest { BucketName = Bucket }));
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            try
            {
                Run(_client.PutBucketAsync(new PutBucketRequest { BucketName = Bucket }));
            }
            catch (AmazonS3Exception created) when (created.ErrorCode == "BucketAlreadyOwnedByYou")
            {
                // Another host made it meanwhile.
            }
            catch (AmazonS3Exception denied) when (denied.StatusCode == HttpStatusCode.Forbidden || denied.ErrorCode is "AccessDenied" or "TooManyBuckets" or "BucketAlreadyExists")
            {
                throw ImageErrors.BucketNotCreated(Bucket, Endpoint, denied);
            }
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.Forbidden)
        {
            throw ImageErrors.BucketNotCreated(Bucket, Endpoint, e);
        }
        KnownBuckets[known] = true;
    }

    /// <summary>Turns an S3 or network failure into the store's error ids, as the filesystem store does for I/O errors.</summary>
    private Exception Classify(Exception e, string location, bool writing)
    {
        if (e is ImagePsException) return e;
        if (e is OperationCanceledException && e.InnerException is not TimeoutException) return e; // the caller cancelled
        if (e is AmazonS3Exception s3)
        {
            if (s3.ErrorCode is "QuotaExceeded" or "UserQuotaExceeded" or "InsufficientStorage" || (int)s3.StatusCode == 507)
                return ImageErrors.StorageFull(location, e);
            if (s3.StatusCode == HttpStatusCode.Forbidden) return ImageErrors.StoreAccessDenied(location, e);
        }
        if (e is AmazonServiceException { StatusCode: not 0 })
            return writing ? ImageErrors.StoreWriteFailed(location, e) : ImageErrors.StoreReadFailed(location, e);
        // No answer from the server: refused, reset, timed out, name not resolved.
        if (e is AmazonServiceException or AmazonClientException or System.Net.Http.HttpRequestException or System.Net.Sockets.SocketException or OperationCanceledException)
            return ImageErrors.StoreUnavailable(Endpoint, Bucket, e);
        if (e is IOException) return writing ? ImageErrors.StoreWriteFailed(location, e) : ImageErrors.StoreReadFailed(location, e);
        return e;
    }

    private static string SourceName(Stream data) => data is FileStream file ? file.Name : data.GetType().Name;

    private static T Run<T>(Task<T> task) => task.ConfigureAwait(false).GetAwaiter().GetResult();

    public override string ToString() => $"{Endpoint} bucket {Bucket}";
}
