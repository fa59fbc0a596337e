using System.Security.Cryptography;
using System.Text.Json.Nodes;
using ImagePs.Domain;
using ImagePs.Events;
using ImagePs.Settings;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Verification;

/// <summary>
/// Test-Image's core on both backends: data at rest intact, damaged (a flipped byte, truncated,
/// missing), unsafe or of another format than declared, and images without data; its events,
/// progress and policy.
/// </summary>
public class ImageVerifierTests
{
    private static (TestRepository Repository, Image Image, byte[] Bytes) Uploaded(TestBackend backend, int length = 3 << 20, string? settings = null)
    {
        var repository = new TestRepository(backend, settings);
        var source = repository.Scratch.RandomFile("source.raw", length);
        var image = repository.NewImage("golden");
        repository.Service.UploadData(image.Id, source, null, CancellationToken.None);
        return (repository, repository.Service.GetImage(image.Id), File.ReadAllBytes(source));
    }

    private static ImageVerification Verify(TestRepository repository, Guid id, ImageService? service = null)
    {
        service ??= repository.Service;
        return service.VerifyImage(service.GetImage(id), null, CancellationToken.None);
    }

    private static string Hex(byte[] digest) => Convert.ToHexString(digest).ToLowerInvariant();

    /// <summary>Makes the catalog hold <paramref name="bytes"/>'s size and hashes, as if they had been uploaded under older rules.</summary>
    private static void RecordInCatalog(TestRepository repository, Image image, byte[] bytes)
    {
        var record = repository.Backend.Catalog.Get(image.Id);
        record.SetData(bytes.Length, Hex(MD5.HashData(bytes)), "sha512", Hex(SHA512.HashData(bytes)), record.Locations.Single());
        repository.Backend.Catalog.Save(record);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Intact_data_passes_with_the_figures_read(TestBackend backend)
    {
        var (repository, image, bytes) = Uploaded(backend);
        using (repository)
        {
            var result = Verify(repository, image.Id);

            Assert.Equal(ImageVerificationReason.Intact, result.Reason);
            Assert.True(result.Passed);
            Assert.Equal(image.Id, result.Id);
            Assert.Equal("golden", result.Name);
            Assert.Equal(bytes.Length, result.ActualSize);
            Assert.Equal(bytes.Length, result.ExpectedSize);
            Assert.Equal(bytes.Length, result.BytesRead);
            Assert.Equal(Hex(MD5.HashData(bytes)), result.ActualChecksum);
            Assert.Equal(Hex(SHA512.HashData(bytes)), result.ActualOsHashValue);
            Assert.Equal(result.ExpectedChecksum, result.ActualChecksum);
            Assert.Equal(result.ExpectedOsHashValue, result.ActualOsHashValue);
            Assert.Equal("raw", result.DetectedFormat);
            Assert.Empty(result.Findings);
            Assert.Equal(image.Locations.Single().Url, result.Location);
            Assert.True(result.Duration > TimeSpan.Zero);
            Assert.Equal(ImageStatus.Active, repository.Service.GetImage(image.Id).Status);
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_flipped_byte_is_a_checksum_mismatch_and_both_hashes_differ(TestBackend backend)
    {
        var (repository, image, bytes) = Uploaded(backend);
        using (repository)
        {
            var damaged = bytes.ToArray();
            damaged[1_000_000] ^= 0x40;
            repository.ReplaceStoredBytes(image, damaged);

            var result = Verify(repository, image.Id);

            Assert.Equal(ImageVerificationReason.ChecksumMismatch, result.Reason);
            Assert.False(result.Passed);
            Assert.Equal(result.ExpectedSize, result.ActualSize);
            Assert.Equal(Hex(MD5.HashData(damaged)), result.ActualChecksum);
            Assert.NotEqual(result.ExpectedChecksum, result.ActualChecksum);
            Assert.Equal(Hex(SHA512.HashData(damaged)), result.ActualOsHashValue);
            Assert.NotEqual(result.ExpectedOsHashValue, result.ActualOsHashValue);
            Assert.Contains(result.ActualChecksum!, result.Message);
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Truncated_data_is_a_size_mismatch_before_its_checksum(TestBackend backend)
    {
        var (repository, image, bytes) = Uploaded(backend);
        using (repository)
        {
            repository.ReplaceStoredBytes(image, bytes[..^1]);

            var result = Verify(repository, image.Id);

            Assert.Equal(ImageVerificationReason.SizeMismatch, result.Reason);
            Assert.Equal(bytes.Length - 1, result.ActualSize);
            Assert.Equal(bytes.Length, result.ExpectedSize);
            Assert.NotEqual(result.ExpectedChecksum, result.ActualChecksum);
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Data_gone_from_the_store_is_DataMissing(TestBackend backend)
    {
        var (repository, image, _) = Uploaded(backend, 1000);
        using (repository)
        {
            repository.ReplaceStoredBytes(image, null);

            var result = Verify(repository, image.Id);

            Assert.Equal(ImageVerificationReason.DataMissing, result.Reason);
            Assert.Null(result.ActualSize);
            Assert.Equal(0, result.BytesRead);
            Assert.Contains(image.Locations.Single().Url, result.Message);
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void An_image_removed_after_it_was_read_is_not_found_rather_than_missing_data(TestBackend backend)
    {
        var (repository, image, _) = Uploaded(backend, 1000);
        using (repository)
        {
            repository.Service.RemoveImage(image.Id);

            var error = Assert.ThrowsAny<ImagePsException>(() => repository.Service.VerifyImage(image, null, CancellationToken.None));

            Assert.Equal("ImageNotFound", error.ErrorId);
            Assert.Empty(repository.Service.FindEvents(new ImageEventQuery { EventTypes = new[] { "image.verify" } }));
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Content_that_fails_todays_safety_rules_is_Unsafe(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var source = repository.Scratch.File("disk.qcow2");
        QemuImg.Create("qcow2", source, "16M");
        var image = repository.Service.CreateImage(new ImageDraft { Name = "golden", DiskFormat = "qcow2", ContainerFormat = "bare" });
        repository.Service.UploadData(image.Id, source, null, CancellationToken.None);
        image = repository.Service.GetImage(image.Id);
        // Data with a backing file, recorded as if an older ImagePs had accepted it.
        var unsafeCopy = repository.Scratch.File("top.qcow2");
        QemuImg.Create("qcow2", unsafeCopy, "16M", "backing_file=/etc/passwd", "backing_fmt=raw");
        var bytes = File.ReadAllBytes(unsafeCopy);
        repository.ReplaceStoredBytes(image, bytes);
        RecordInCatalog(repository, image, bytes);

        var result = Verify(repository, image.Id);

        Assert.Equal(ImageVerificationReason.Unsafe, result.Reason);
        Assert.Equal(bytes.Length, result.ActualSize);
        Assert.Equal(result.ExpectedChecksum, result.ActualChecksum);
        Assert.Equal("backing-file", Assert.Single(result.Findings).Check);
        Assert.Contains("/etc/passwd", result.Message);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Content_of_another_format_than_declared_is_DiskFormatMismatch_under_todays_settings(TestBackend backend)
    {
        using var repository = new TestRepository(backend, "{ \"RequireDiskFormatMatch\": false }");
        var source = repository.Scratch.File("disk.qcow2");
        QemuImg.Create("qcow2", source, "16M");
        var image = repository.NewImage("golden", diskFormat: "raw");
        repository.Service.UploadData(image.Id, source, null, CancellationToken.None);
        Assert.Equal(ImageVerificationReason.Intact, Verify(repository, image.Id).Reason); // the rule of the day allowed it

        var settings = JsonNode.Parse(File.ReadAllText(repository.Folder.SettingsPath))!.AsObject();
        settings["RequireDiskFormatMatch"] = true;
        File.WriteAllText(repository.Folder.SettingsPath, settings.ToJsonString());
        var today = new ImageService(RepositoryBackend.Open(repository.Folder, repository.Observer), TestRepository.Owner, repository.Observer);

        var result = Verify(repository, image.Id, today);

        Assert.Equal(ImageVerificationReason.DiskFormatMismatch, result.Reason);
        Assert.Equal("raw", result.DiskFormat);
        Assert.Equal("qcow2", result.DetectedFormat);
        Assert.Equal(result.ExpectedChecksum, result.ActualChecksum);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void An_image_without_data_is_NoData_and_nothing_is_read(TestBackend backend)
    {
        using var repository = new TestRepository(backend);
        var image = repository.NewImage("empty");

        var result = Verify(repository, image.Id);

        Assert.Equal(ImageVerificationReason.NoData, result.Reason);
        Assert.False(result.Passed);
        Assert.Equal(ImageStatus.Queued, result.Status);
        Assert.Equal(0, result.BytesRead);
        Assert.Null(result.ActualSize);
        Assert.False(ImageService.ShouldDeactivate(result));
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_deactivated_image_is_verified_too(TestBackend backend)
    {
        var (repository, image, _) = Uploaded(backend, 1000);
        using (repository)
        {
            repository.Service.DeactivateImage(image.Id);

            var result = Verify(repository, image.Id);

            Assert.Equal(ImageVerificationReason.Intact, result.Reason);
            Assert.Equal(ImageStatus.Deactivated, result.Status);
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Every_verification_is_an_image_verify_event_and_a_failure_has_priority_ERROR(TestBackend backend)
    {
        var (repository, image, bytes) = Uploaded(backend, 1000);
        using (repository)
        {
            Verify(repository, image.Id);
            repository.ReplaceStoredBytes(image, bytes[..^1]);
            Verify(repository, image.Id);

            var events = repository.Service.FindEvents(new ImageEventQuery { EventTypes = new[] { "image.verify" } }).ToList();

            Assert.Equal(new[] { "INFO", "ERROR" }, events.Select(e => e.Priority).ToArray());
            Assert.All(events, e => Assert.Equal(image.Id, e.ImageId));
            Assert.Equal("Intact", ((IReadOnlyDictionary<string, object?>)events[0].Payload!)["verification"]);
            var message = Assert.IsType<string>(events[1].Payload);
            Assert.Contains("SizeMismatch", message);
            Assert.Contains(image.Id.ToString(), message);
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_caller_who_may_not_download_the_image_may_not_verify_it(TestBackend backend)
    {
        var (repository, image, _) = Uploaded(backend, 1000);
        using (repository)
        {
            var owner = repository.ServiceFor(Callers.Member("tester"));
            var reader = repository.ServiceFor(Callers.Reader("tester"));

            Assert.Equal(ImageVerificationReason.Intact, Verify(repository, image.Id, owner).Reason);
            var error = Assert.Throws<ImagePsException>(() => Verify(repository, image.Id, reader));

            Assert.Equal("PolicyDenied", error.ErrorId);
            Assert.Contains("verify_image", error.Message);
            Assert.DoesNotContain(repository.Service.FindEvents(new ImageEventQuery { EventTypes = new[] { "image.verify" } }),
                e => e.UserId == "reader-tester");
        }
    }

    [Fact]
    public void The_policy_file_decides_who_may_verify()
    {
        var files = new Dictionary<string, string> { ["policy.yaml"] = "verify_image: \"role:auditor\"\n" };
        using var repository = new TestRepository(caller: Callers.Member("tester"), files: files);
        var image = repository.NewImage("empty");

        var auditor = repository.ServiceFor(Callers.WithRoles("tester", "auditor", "reader"));
        Assert.Equal(ImageVerificationReason.NoData, Verify(repository, image.Id, auditor).Reason);
        var member = repository.Service;
        Assert.Equal("PolicyDenied", Assert.Throws<ImagePsException>(() => Verify(repository, image.Id, member)).ErrorId);
    }

    [Fact]
    public void Data_reached_through_a_planted_link_is_not_read()
    {
        var (repository, image, bytes) = Uploaded(TestBackend.Embedded, 1000);
        using (repository)
        {
            var elsewhere = repository.Scratch.File("elsewhere.raw");
            File.WriteAllBytes(elsewhere, bytes);
            var path = Path.Combine(repository.Folder.StorePath, image.Id.ToString("D"));
            File.Delete(path);
            File.CreateSymbolicLink(path, elsewhere);

            var result = Verify(repository, image.Id);

            Assert.Equal(ImageVerificationReason.ReadFailed, result.Reason);
            Assert.Equal(0, result.BytesRead);
            Assert.False(ImageService.ShouldDeactivate(result), "a store that cannot be read says nothing about the data");
        }
    }

    [ServerFact]
    public void An_unreachable_store_is_ReadFailed_and_never_a_reason_to_deactivate()
    {
        var (repository, image, _) = Uploaded(TestBackend.Servers, 1000);
        using (repository)
        {
            var settings = JsonNode.Parse(File.ReadAllText(repository.Folder.SettingsPath))!.AsObject();
            using (var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
            {
                closed.Start();
                var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
                closed.Stop(); // nothing listens there any more: connections are refused
                settings["Store"]!["ServiceUrl"] = $"http://127.0.0.1:{port}";
            }
            File.WriteAllText(repository.Folder.SettingsPath, settings.ToJsonString());
            var cut = new ImageService(RepositoryBackend.Open(repository.Folder, repository.Observer), TestRepository.Owner, repository.Observer);

            var result = Verify(repository, image.Id, cut);

            Assert.Equal(ImageVerificationReason.ReadFailed, result.Reason);
            Assert.Equal(0, result.BytesRead);
            Assert.Contains("127.0.0.1", result.Message);
            Assert.False(ImageService.ShouldDeactivate(result));
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void One_progress_bar_covers_every_image_by_bytes(TestBackend backend)
    {
        var (repository, first, _) = Uploaded(backend, 1 << 20);
        using (repository)
        {
            var second = repository.NewImage("second");
            repository.Service.UploadData(second.Id, repository.Scratch.RandomFile("second.raw", 2 << 20), null, CancellationToken.None);
            var images = new[] { repository.Service.GetImage(first.Id), repository.Service.GetImage(second.Id), repository.NewImage("empty") };
            repository.Observer.ProgressReports.Clear();

            var progress = repository.Service.StartVerificationProgress(images);
            foreach (var image in images)
            {
                repository.Service.VerifyImage(image, progress.Next(image), CancellationToken.None);
                progress.Done(image);
            }
            progress.Complete();

            var reports = repository.Observer.ProgressReports;
            Assert.All(reports, r => Assert.Equal(3L << 20, r.TotalBytes));
            Assert.All(reports, r => Assert.Equal(reports[0].Activity, r.Activity));
            Assert.Equal(reports.Select(r => r.BytesDone).Order().ToArray(), reports.Select(r => r.BytesDone).ToArray());
            Assert.True(reports[^1].Completed);
            Assert.Equal(3L << 20, reports[^1].BytesDone);
            Assert.Contains("3 of 3", reports[^1].Description);
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void An_os_hash_that_differs_alone_is_OsHashValueMismatch(TestBackend backend)
    {
        var (repository, image, bytes) = Uploaded(backend, 1000);
        using (repository)
        {
            var record = repository.Backend.Catalog.Get(image.Id);
            var other = Hex(SHA512.HashData(bytes.Append((byte)1).ToArray()));
            record.SetData(bytes.Length, image.Checksum!, "sha512", other, record.Locations.Single());
            repository.Backend.Catalog.Save(record);

            var result = Verify(repository, image.Id);

            Assert.Equal(ImageVerificationReason.OsHashValueMismatch, result.Reason);
            Assert.Equal(result.ExpectedChecksum, result.ActualChecksum);
            Assert.Equal(other, result.ExpectedOsHashValue);
            Assert.Equal(Hex(SHA512.HashData(bytes)), result.ActualOsHashValue);
            Assert.True(ImageService.ShouldDeactivate(result));
        }
    }
}
