using System.Security.Cryptography;
using ImagePs.Domain;
using ImagePs.Layers;
using ImagePs.Settings;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests;

/// <summary>Declared values, storage quota, one uploader per image, recovery of abandoned uploads: on both backends.</summary>
public class UploadIntegrityTests
{
    public static IEnumerable<object[]> A_declared_hash_that_the_data_does_not_have_undoes_the_upload_cases => TestBackends.With(new[]
    {
        new object[] { "checksum", "ChecksumMismatch" },
        new object[] { "sha512", "OsHashValueMismatch" },
    });

    private static string Md5Of(string path) => Convert.ToHexString(MD5.HashData(File.ReadAllBytes(path))).ToLowerInvariant();

    private static string Sha512Of(string path) => Convert.ToHexString(SHA512.HashData(File.ReadAllBytes(path))).ToLowerInvariant();

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Declared_values_that_match_are_accepted(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var source = repository.Scratch.RandomFile("disk.raw", 100_000);
        var image = repository.NewImage();

        var uploaded = repository.Service.UploadData(image.Id, source,
            new UploadOptions { Size = 100_000, Checksum = Md5Of(source).ToUpperInvariant(), OsHashValue = Sha512Of(source) },
            CancellationToken.None);

        Assert.Equal(ImageStatus.Active, uploaded.Status);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_declared_size_that_the_file_does_not_have_is_refused_before_the_image_changes(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var source = repository.Scratch.RandomFile("disk.raw", 1000);
        var image = repository.NewImage();

        var error = Assert.Throws<ImagePsException>(() =>
            repository.Service.UploadData(image.Id, source, new UploadOptions { Size = 999 }, CancellationToken.None));

        Assert.Equal("ImageSizeMismatch", error.ErrorId);
        Assert.Contains("Nothing was uploaded", error.Message);
        var after = repository.Service.GetImage(image.Id);
        Assert.Equal(ImageStatus.Queued, after.Status);
        Assert.Equal(image.UpdatedAt, after.UpdatedAt);
    }

    [Theory]
    [MemberData(nameof(A_declared_hash_that_the_data_does_not_have_undoes_the_upload_cases))]
    public void A_declared_hash_that_the_data_does_not_have_undoes_the_upload(TestBackend backend, string which, string errorId)
    {
        using var repository = new TestRepository(backend);
        var source = repository.Scratch.RandomFile("disk.raw", 50_000);
        var other = repository.Scratch.RandomFile("other.raw", 50_000, seed: 99);
        var image = repository.NewImage();
        var options = which == "checksum" ? new UploadOptions { Checksum = Md5Of(other) } : new UploadOptions { OsHashValue = Sha512Of(other) };

        var error = Assert.Throws<ImagePsException>(() => repository.Service.UploadData(image.Id, source, options, CancellationToken.None));

        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, error.Kind);
        Assert.Equal(ImageStatus.Queued, repository.Service.GetImage(image.Id).Status);
        Assert.Empty(repository.StoreFiles());
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Storage_quota_counts_the_owners_stored_images_and_is_inclusive(TestBackend backend)
    {
        using var repository = new TestRepository(backend, "{ \"UserStorageQuota\": 300000 }");
        var first = repository.Scratch.RandomFile("a.raw", 200_000);
        var exact = repository.Scratch.RandomFile("b.raw", 100_000);
        var over = repository.Scratch.RandomFile("c.raw", 1);
        var a = repository.NewImage("a");
        var b = repository.NewImage("b");
        var c = repository.NewImage("c");

        repository.Service.UploadData(a.Id, first, null, CancellationToken.None);
        repository.Service.UploadData(b.Id, exact, null, CancellationToken.None);
        var error = Assert.Throws<ImagePsException>(() => repository.Service.UploadData(c.Id, over, null, CancellationToken.None));

        Assert.Equal("StorageQuotaExceeded", error.ErrorId);
        Assert.Equal(ErrorKind.LimitsExceeded, error.Kind);
        Assert.Contains("300000", error.Message);
        Assert.Equal(ImageStatus.Queued, repository.Service.GetImage(c.Id).Status);
        Assert.Equal(2, repository.StoreFiles().Length);

        repository.Service.RemoveImage(a.Id);
        Assert.Equal(ImageStatus.Active, repository.Service.UploadData(c.Id, over, null, CancellationToken.None).Status);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Storage_quota_stops_a_stream_of_unknown_size_as_the_bytes_arrive(TestBackend backend)
    {
        using var repository = new TestRepository(backend, "{ \"UserStorageQuota\": 1048576 }");
        var source = repository.Scratch.RandomFile("big.raw", 8 << 20);
        var image = repository.NewImage();

        using var stream = new FaultyStream(File.OpenRead(source), long.MaxValue);
        var error = Assert.Throws<ImagePsException>(() =>
            repository.Service.UploadData(image.Id, new ImageDataSource(stream, null, source), CancellationToken.None));

        Assert.Equal("StorageQuotaExceeded", error.ErrorId);
        Assert.True(stream.BytesRead < 8 << 20, $"read {stream.BytesRead} bytes");
        Assert.Empty(repository.StoreFiles());
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Storage_quota_is_checked_again_after_the_upload(TestBackend backend)
    {
        using var repository = new TestRepository(backend, "{ \"UserStorageQuota\": 150000 }");
        var slowFile = repository.Scratch.RandomFile("slow.raw", 100_000);
        var fastFile = repository.Scratch.RandomFile("fast.raw", 100_000, seed: 5);
        var slow = repository.NewImage("slow");
        var fast = repository.NewImage("fast");

        // While "slow" streams, "fast" is uploaded completely: each fits alone, not both.
        using var stream = new FaultyStream(File.OpenRead(slowFile), 50_000,
            () => repository.Service.UploadData(fast.Id, fastFile, null, CancellationToken.None));
        var error = Assert.Throws<ImagePsException>(() =>
            repository.Service.UploadData(slow.Id, new ImageDataSource(stream, 100_000, slowFile), CancellationToken.None));

        Assert.Equal("StorageQuotaExceeded", error.ErrorId);
        Assert.Equal(ImageStatus.Active, repository.Service.GetImage(fast.Id).Status);
        Assert.Equal(ImageStatus.Queued, repository.Service.GetImage(slow.Id).Status);
        Assert.Equal(new[] { fast.Id.ToString() }, repository.StoreFiles());
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_second_upload_into_the_same_image_is_a_conflict_and_leaves_no_file(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var source = repository.Scratch.RandomFile("disk.raw", 6 << 20);
        var image = repository.NewImage();
        ImagePsException? second = null;
        string[]? filesDuringSecond = null;

        using var stream = new FaultyStream(File.OpenRead(source), 1 << 20, () =>
        {
            second = Assert.ThrowsAny<ImagePsException>(() => repository.Service.UploadData(image.Id, source, null, CancellationToken.None));
            filesDuringSecond = repository.StoreFiles();
        });
        var first = repository.Service.UploadData(image.Id, new ImageDataSource(stream, 6 << 20, source), CancellationToken.None);

        Assert.Equal(ImageStatus.Active, first.Status);
        Assert.Equal("ImageConflict", second!.ErrorId);
        Assert.Equal(ErrorKind.ResourceBusy, second.Kind);
        // Only the first upload's own data in progress: its partial file (a multipart upload starts only
        // once a whole part is there, so in S3 the first megabyte is still in memory).
        if (backend == TestBackend.Embedded) Assert.EndsWith(".partial", Assert.Single(filesDuringSecond!));
        else Assert.Empty(filesDuringSecond!);
        Assert.Equal(new[] { image.Id.ToString() }, repository.StoreFiles());
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Parallel_uploads_into_one_image_leave_exactly_one_winner(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var source = repository.Scratch.RandomFile("disk.raw", 3 << 20);
        var image = repository.NewImage();

        var outcomes = new string[6];
        Parallel.For(0, outcomes.Length, i =>
        {
            try
            {
                repository.Service.UploadData(image.Id, source, null, CancellationToken.None);
                outcomes[i] = "Active";
            }
            catch (ImagePsException e)
            {
                outcomes[i] = e.ErrorId;
            }
        });

        Assert.Single(outcomes, o => o == "Active");
        Assert.All(outcomes.Where(o => o != "Active"), o => Assert.Contains(o, new[] { "ImageConflict", "InvalidStatusTransition" }));
        Assert.Equal(new[] { image.Id.ToString() }, repository.StoreFiles());
        Assert.Equal(Md5Of(source), repository.Service.GetImage(image.Id).Checksum);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void An_upload_abandoned_by_a_dead_process_is_recovered_when_the_repository_opens(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var image = repository.NewImage("abandoned");
        SimulateAbandonedUpload(repository, image);

        var observer = new RecordingObserver();
        var reopened = new ImageService(RepositoryBackend.Open(repository.Folder, observer), TestRepository.Owner, observer);

        Assert.Equal(ImageStatus.Queued, reopened.GetImage(image.Id).Status);
        Assert.Empty(repository.StoreFiles());
        Assert.Contains(observer.Warnings, w => w.Contains(image.Id.ToString()) && w.Contains("Queued"));
        var source = repository.Scratch.RandomFile("retry.raw", 4096);
        Assert.Equal(ImageStatus.Active, reopened.UploadData(image.Id, source, null, CancellationToken.None).Status);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void An_upload_whose_process_is_alive_is_left_alone(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var image = repository.NewImage("busy");
        SimulateAbandonedUpload(repository, image);

        using (repository.Backend.Leases.TryAcquire(image.Id))
        {
            var reopened = RepositoryBackend.Open(repository.Folder);
            Assert.Equal(ImageStatus.Saving, reopened.Catalog.Get(image.Id).Status);
            Assert.Equal(2, repository.StoreFiles().Length);
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void An_uploader_finding_an_abandoned_saving_image_recovers_it_first(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var image = repository.NewImage("stale");
        SimulateAbandonedUpload(repository, image);
        var source = repository.Scratch.RandomFile("disk.raw", 8192);

        var uploaded = repository.Service.UploadData(image.Id, source, null, CancellationToken.None);

        Assert.Equal(ImageStatus.Active, uploaded.Status);
        Assert.Equal(new[] { image.Id.ToString() }, repository.StoreFiles());
        Assert.Equal(Md5Of(source), uploaded.Checksum);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Upload_reports_progress_and_completes_it(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var source = repository.Scratch.RandomFile("disk.raw", 9 << 20);
        var image = repository.NewImage("progress");

        repository.Service.UploadData(image.Id, source, null, CancellationToken.None);

        var last = repository.Observer.ProgressReports.Last();
        Assert.True(last.Completed);
        Assert.Equal(9L << 20, last.BytesDone);
        Assert.Equal(9L << 20, last.TotalBytes);
        Assert.Equal(100, last.Percent);
        Assert.Equal(image.Id, last.ImageId);
        Assert.Contains("progress", last.Activity);
        Assert.All(repository.Observer.ProgressReports, p => Assert.InRange(p.BytesDone, 0, 9L << 20));
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_lease_whose_holder_deletes_its_file_meanwhile_never_fails_the_caller(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var leases = repository.Backend.Leases;
        var id = Guid.NewGuid();

        var holder = leases.TryAcquire(id);
        Assert.NotNull(holder);
        Assert.Null(leases.TryAcquire(id));   // held: busy, not an error

        // The holder finishes: it deletes the marker (Unix lets it while open), then lets go.
        leases.Forget(id);
        holder!.Dispose();

        using var next = leases.TryAcquire(id);
        Assert.NotNull(next);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_change_made_while_the_data_streams_is_kept(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var source = repository.Scratch.RandomFile("disk.raw", 6 << 20);
        var image = repository.NewImage("before");

        // Another session renames and tags the image while its upload is Saving.
        using var stream = new FaultyStream(File.OpenRead(source), 1 << 20, () =>
        {
            var other = repository.Service.GetImage(image.Id);
            ImageService.ApplyChanges(other, new ImageChanges { Name = "renamed", AddTags = new[] { "late" } });
            repository.Service.SaveImage(other);
        });
        var uploaded = repository.Service.UploadData(image.Id, new ImageDataSource(stream, 6 << 20, source), CancellationToken.None);

        var stored = repository.Service.GetImage(image.Id);
        foreach (var result in new[] { uploaded, stored })
        {
            Assert.Equal(ImageStatus.Active, result.Status);
            Assert.Equal("renamed", result.Name);
            Assert.Contains("late", result.Tags);
            Assert.Equal(Md5Of(source), result.Checksum);
            Assert.Equal(6L << 20, result.Size);
            Assert.Single(result.Locations);
        }
    }

    /// <summary>
    /// What a process killed mid-upload leaves: the image Saving, data in progress (a partial file, or a
    /// multipart upload with a part), data never committed to the catalog, no lease holder.
    /// </summary>
    private static void SimulateAbandonedUpload(TestRepository repository, Image image)
    {
        var saving = repository.Backend.Catalog.Get(image.Id);
        saving.SetStatus(ImageStatus.Saving);
        repository.Backend.Catalog.Save(saving, ImageStatus.Queued);
        if (repository.Kind == TestBackend.Servers)
        {
            var s3 = TestServers.S3;
            var key = image.Id.ToString("D");
            s3.PutBucketAsync(repository.Bucket).GetAwaiter().GetResult();
            var upload = s3.InitiateMultipartUploadAsync(repository.Bucket, key).GetAwaiter().GetResult();
            s3.UploadPartAsync(new Amazon.S3.Model.UploadPartRequest
            {
                BucketName = repository.Bucket, Key = key, UploadId = upload.UploadId, PartNumber = 1,
                InputStream = new MemoryStream(new byte[1234]), UseChunkEncoding = false,
            }).GetAwaiter().GetResult();
            s3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest
            {
                BucketName = repository.Bucket, Key = key, InputStream = new MemoryStream(new byte[10]), UseChunkEncoding = false,
            }).GetAwaiter().GetResult();
            return;
        }
        File.WriteAllBytes(Path.Combine(repository.Folder.StorePath, $"{image.Id:D}.{Guid.NewGuid():N}.partial"), new byte[1234]);
        File.WriteAllBytes(Path.Combine(repository.Folder.StorePath, image.Id.ToString("D")), new byte[10]);
    }
}
