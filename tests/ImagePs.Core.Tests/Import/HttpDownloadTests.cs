using System.Net;
using System.Security.Cryptography;
using ImagePs.Import;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Import;

/// <summary>
/// HttpDownload against the real test web server (its own process on 127.0.0.1) serving a real
/// qcow2 made by qemu-img: whole downloads, resumes after drops and stalls, servers without Range,
/// changed files, HTTP errors, redirects and credentials. Every fault is bounded in count.
/// </summary>
public class HttpDownloadTests : IClassFixture<HttpDownloadTests.Served>
{
    private readonly Served served;

    public HttpDownloadTests(Served served) => this.served = served;

    /// <summary>One server for the class, serving disk.qcow2 (about 1.3 MB: qcow2 metadata and 1 MiB of data).</summary>
    public sealed class Served : IDisposable
    {
        private readonly TestFolder folder = new();

        public Served()
        {
            Path = folder.File("disk.qcow2");
            QemuImg.Create("qcow2", Path, "64M");
            QemuImg.Write("qcow2", Path, 1);
            Length = new FileInfo(Path).Length;
            Sha256 = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Path)));
            File.WriteAllText(folder.File("SHA256SUMS"), Sha256.ToLowerInvariant() + "  disk.qcow2\n");
            Server = TestWebServer.Start(folder.Path);
        }

        public string Path { get; }
        public long Length { get; }
        public string Sha256 { get; }
        internal TestWebServer Server { get; }

        /// <summary>A copy of disk.qcow2 under a new name: fresh fault counters on the server.</summary>
        public string Copy()
        {
            var name = "disk-" + Guid.NewGuid().ToString("N")[..8] + ".qcow2";
            File.Copy(Path, folder.File(name));
            File.SetLastWriteTimeUtc(folder.File(name), File.GetLastWriteTimeUtc(Path));
            return name;
        }

        public void Dispose()
        {
            Server.Dispose();
            folder.Dispose();
        }
    }

    private static ImportSettings Settings(string section = "{}") => ImportSettingsTests.Parse(section);

    private static (string Sha256, long Bytes) ReadAll(HttpDownload download)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[65536];
        long total = 0;
        int read;
        while ((read = download.Body.Read(buffer, 0, buffer.Length)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
        }
        return (Convert.ToHexString(hash.GetHashAndReset()), total);
    }

    private (string Sha256, long Bytes, int Resumes, HttpDownload Download) Download(string path, ImportSettings? settings = null, NetworkCredential? credential = null)
    {
        using var download = HttpDownload.Open(served.Server.At(path), credential, settings ?? Settings(), CancellationToken.None);
        var (sha, bytes) = ReadAll(download);
        return (sha, bytes, download.Resumes, download);
    }

    private IReadOnlyList<LoggedRequest> RequestsFor(string path) => served.Server.Requests().Where(r => r.Path == path).ToList();

    [Fact]
    public void Downloads_a_qcow2_whole_with_its_length_and_file_name()
    {
        using var download = HttpDownload.Open(served.Server.At("/disk.qcow2"), null, Settings(), CancellationToken.None);
        Assert.Equal(served.Length, download.Length);
        Assert.Equal("disk.qcow2", download.FileName);
        Assert.Equal(served.Server.At("/disk.qcow2"), download.FinalUri);
        var (sha, bytes) = ReadAll(download);
        Assert.Equal(served.Sha256, sha);
        Assert.Equal(served.Length, bytes);
        Assert.Equal(0, download.Resumes);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Resumes_after_each_dropped_connection_with_Range_and_If_Range(int drops)
    {
        var path = $"/drop/300000/{drops}/{served.Copy()}";
        var result = Download(path);
        Assert.Equal(served.Sha256, result.Sha256);
        Assert.Equal(served.Length, result.Bytes);
        Assert.Equal(drops, result.Resumes);
        var requests = RequestsFor(path);
        Assert.Equal(drops + 1, requests.Count);
        Assert.Equal("", requests[0].Range);
        for (var i = 1; i <= drops; i++)
        {
            Assert.StartsWith("bytes=", requests[i].Range);
            Assert.StartsWith("\"", requests[i].IfRange);
        }
        // Each byte crossed the wire about once: resumes continue, they do not start over.
        Assert.True(served.Server.BytesServed(path) < served.Length + 300000L * drops / 2 + drops * 65536L);
    }

    [Fact]
    public void Resumes_after_a_stall_of_StallTimeoutSeconds()
    {
        var path = $"/stall/200000/60/1/{served.Copy()}";
        var result = Download(path, Settings("{ \"StallTimeoutSeconds\": 1 }"));
        Assert.Equal(served.Sha256, result.Sha256);
        Assert.Equal(1, result.Resumes);
    }

    [Fact]
    public void Resumes_with_Last_Modified_when_the_server_sends_only_a_weak_ETag()
    {
        var path = $"/weaketag/drop/300000/1/{served.Copy()}";
        var result = Download(path);
        Assert.Equal(served.Sha256, result.Sha256);
        Assert.Equal(1, result.Resumes);
        var resumed = RequestsFor(path)[1];
        Assert.StartsWith("bytes=", resumed.Range);
        Assert.EndsWith(" GMT", resumed.IfRange);
    }

    [Fact]
    public void A_server_that_does_not_answer_within_StallTimeoutSeconds_is_ImportTimedOut()
    {
        var path = $"/hang/60/1/{served.Copy()}";
        var error = Assert.ThrowsAny<ImagePsException>(() => Download(path, Settings("{ \"StallTimeoutSeconds\": 1 }")));
        Assert.Equal("ImportTimedOut", error.ErrorId);
        Assert.Equal(ErrorKind.OperationTimeout, error.Kind);
        Assert.Contains(served.Server.At(path).AbsoluteUri, error.Message);
        Assert.Contains("1 s", error.Message);
    }

    [Fact]
    public void Gives_up_after_MaxResumes_with_ImportConnectionLost()
    {
        var path = $"/drop/100000/10/{served.Copy()}";
        var error = Assert.ThrowsAny<ImagePsException>(() => Download(path, Settings("{ \"MaxResumes\": 2 }")));
        Assert.Equal("ImportConnectionLost", error.ErrorId);
        Assert.Equal(ErrorKind.ConnectionError, error.Kind);
        Assert.Contains(served.Server.At(path).AbsoluteUri, error.Message);
        Assert.Contains("2 resumes", error.Message);
        Assert.Contains("retry", error.Message);
        Assert.Equal(3, RequestsFor(path).Count);
    }

    [Fact]
    public void MaxResumes_zero_fails_at_the_first_drop()
    {
        var path = $"/drop/100000/1/{served.Copy()}";
        var error = Assert.ThrowsAny<ImagePsException>(() => Download(path, Settings("{ \"MaxResumes\": 0 }")));
        Assert.Equal("ImportConnectionLost", error.ErrorId);
        Assert.Single(RequestsFor(path));
    }

    [Fact]
    public void A_server_without_Range_support_restarts_cleanly_when_the_drop_came_before_any_byte()
    {
        var path = $"/norange/drop/0/1/{served.Copy()}";
        var result = Download(path);
        Assert.Equal(served.Sha256, result.Sha256);
        Assert.Equal(1, result.Resumes);
        Assert.Equal(served.Length, served.Server.BytesServed(path));
        Assert.All(RequestsFor(path), r => Assert.Equal("", r.Range));
    }

    [Fact]
    public void A_server_without_Range_support_is_read_again_and_the_bytes_already_read_are_skipped()
    {
        var path = $"/norange/drop/300000/1/{served.Copy()}";
        var result = Download(path);
        Assert.Equal(served.Sha256, result.Sha256);
        Assert.Equal(served.Length, result.Bytes);
        Assert.Equal(1, result.Resumes);
        // The second answer was the whole file (no Range support), its first 300000 bytes dropped here.
        Assert.Equal(served.Length + 300000, served.Server.BytesServed(path));
    }

    [Fact]
    public void A_file_that_changed_on_the_server_after_bytes_were_read_is_ImportSourceChanged()
    {
        var path = $"/changing/drop/300000/1/{served.Copy()}";
        var error = Assert.ThrowsAny<ImagePsException>(() => Download(path));
        Assert.Equal("ImportSourceChanged", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, error.Kind);
        Assert.Contains(served.Server.At(path).AbsoluteUri, error.Message);
        Assert.Contains("retry", error.Message);
    }

    [Fact]
    public void A_file_that_changed_before_any_byte_was_read_is_simply_read_again()
    {
        var path = $"/changing/drop/0/1/{served.Copy()}";
        var result = Download(path);
        Assert.Equal(served.Sha256, result.Sha256);
        Assert.Equal(1, result.Resumes);
    }

    [Fact]
    public void A_server_without_validators_cannot_be_resumed_after_bytes_were_read()
    {
        var path = $"/noetag/drop/300000/1/{served.Copy()}";
        var error = Assert.ThrowsAny<ImagePsException>(() => Download(path));
        Assert.Equal("ImportConnectionLost", error.ErrorId);
        Assert.Contains("ETag", error.Message);
    }

    [Theory]
    [InlineData(404, nameof(ErrorKind.ObjectNotFound))]
    [InlineData(410, nameof(ErrorKind.ObjectNotFound))]
    [InlineData(401, nameof(ErrorKind.PermissionDenied))]
    [InlineData(403, nameof(ErrorKind.PermissionDenied))]
    [InlineData(500, nameof(ErrorKind.ResourceUnavailable))]
    [InlineData(503, nameof(ErrorKind.ResourceUnavailable))]
    public void An_HTTP_error_is_ImportHttpFailed_naming_the_url_without_credentials_and_the_status(int status, string kind)
    {
        var url = new UriBuilder(served.Server.At("/status/" + status)) { UserName = "alice", Password = "s3cret" }.Uri;
        var error = Assert.ThrowsAny<ImagePsException>(() => HttpDownload.Open(url, null, Settings(), CancellationToken.None));
        Assert.Equal("ImportHttpFailed", error.ErrorId);
        Assert.Equal(kind, error.Kind.ToString());
        Assert.Contains(served.Server.At("/status/" + status).AbsoluteUri, error.Message);
        Assert.Contains("HTTP " + status, error.Message);
        Assert.DoesNotContain("s3cret", error.Message);
        Assert.DoesNotContain("alice", error.Message);
    }

    [Fact]
    public void A_missing_file_is_ImportHttpFailed_ObjectNotFound()
    {
        var error = Assert.ThrowsAny<ImagePsException>(() => Download("/no-such-disk.qcow2"));
        Assert.Equal("ImportHttpFailed", error.ErrorId);
        Assert.Equal(ErrorKind.ObjectNotFound, error.Kind);
        Assert.Contains("404", error.Message);
    }

    [Fact]
    public void A_server_that_is_not_there_is_ImportHttpFailed_ResourceUnavailable()
    {
        // A port that was just free: nothing listens on it.
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var error = Assert.ThrowsAny<ImagePsException>(() =>
            HttpDownload.Open(new Uri($"http://127.0.0.1:{port}/disk.qcow2"), null, Settings(), CancellationToken.None));
        Assert.Equal("ImportHttpFailed", error.ErrorId);
        Assert.Equal(ErrorKind.ResourceUnavailable, error.Kind);
        Assert.Contains($"http://127.0.0.1:{port}/disk.qcow2", error.Message);
    }

    [Fact]
    public void Redirects_are_followed_and_the_final_url_names_the_file()
    {
        var name = served.Copy();
        using var download = HttpDownload.Open(served.Server.At("/redirect?to=" + Uri.EscapeDataString("/redirect?to=/" + name)), null, Settings(), CancellationToken.None);
        Assert.Equal(served.Server.At("/" + name), download.FinalUri);
        Assert.Equal(name, download.FileName);
        Assert.Equal(served.Sha256, ReadAll(download).Sha256);
    }

    [Fact]
    public void A_redirect_to_a_refused_host_is_ImportUriRefused_and_that_host_is_never_asked()
    {
        var name = served.Copy();
        var target = new Uri(served.Server.OtherOriginUrl, "/" + name);
        var error = Assert.ThrowsAny<ImagePsException>(() =>
            HttpDownload.Open(served.Server.At("/redirect?to=" + Uri.EscapeDataString(target.AbsoluteUri)), null,
                Settings("{ \"DisallowedHosts\": [\"localhost\"] }"), CancellationToken.None));
        Assert.Equal("ImportUriRefused", error.ErrorId);
        Assert.Equal(ErrorKind.PermissionDenied, error.Kind);
        Assert.Contains(target.AbsoluteUri, error.Message);
        Assert.Empty(RequestsFor("/" + name));
        Assert.Equal(0, served.Server.BytesServed("/" + name));
    }

    [Fact]
    public void A_redirect_loop_is_ImportTooManyRedirects()
    {
        var error = Assert.ThrowsAny<ImagePsException>(() => Download("/loop"));
        Assert.Equal("ImportTooManyRedirects", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidResult, error.Kind);
        Assert.Contains(served.Server.At("/loop").AbsoluteUri, error.Message);
    }

    [Fact]
    public void Basic_credentials_open_a_protected_file_and_are_needed()
    {
        var path = $"/auth/alice/s3cret/{served.Copy()}";
        var result = Download(path, credential: new NetworkCredential("alice", "s3cret"));
        Assert.Equal(served.Sha256, result.Sha256);

        var refused = Assert.ThrowsAny<ImagePsException>(() => Download(path));
        Assert.Equal("ImportHttpFailed", refused.ErrorId);
        Assert.Equal(ErrorKind.PermissionDenied, refused.Kind);
        Assert.Contains("401", refused.Message);
    }

    [Fact]
    public void Credentials_in_the_url_are_used_and_never_shown()
    {
        var path = $"/auth/alice/s3cret/{served.Copy()}";
        var url = new UriBuilder(served.Server.At(path)) { UserName = "alice", Password = "s3cret" }.Uri;
        using var download = HttpDownload.Open(url, null, Settings(), CancellationToken.None);
        Assert.Equal(served.Sha256, ReadAll(download).Sha256);
        Assert.Equal("", download.FinalUri.UserInfo);
        Assert.False(Assert.Single(RequestsFor(path)).Host.Contains('@'));
    }

    [Fact]
    public void Credentials_follow_a_redirect_within_the_origin_only()
    {
        var name = served.Copy();
        var credential = new NetworkCredential("alice", "s3cret");
        var sameOrigin = Download("/redirect?to=" + Uri.EscapeDataString("/auth/alice/s3cret/" + name), credential: credential);
        Assert.Equal(served.Sha256, sameOrigin.Sha256);

        var crossPath = "/auth/alice/s3cret/" + served.Copy();
        var cross = new Uri(served.Server.OtherOriginUrl, crossPath);
        var redirect = "/redirect?to=" + Uri.EscapeDataString(cross.AbsoluteUri);
        var error = Assert.ThrowsAny<ImagePsException>(() => Download(redirect, credential: credential));
        Assert.Equal("ImportHttpFailed", error.ErrorId);
        Assert.Equal(ErrorKind.PermissionDenied, error.Kind);
        Assert.True(Assert.Single(RequestsFor(redirect)).Authorization);
        var atOtherOrigin = Assert.Single(RequestsFor(crossPath));
        Assert.StartsWith("localhost:", atOtherOrigin.Host);
        Assert.False(atOtherOrigin.Authorization);
    }

    [Fact]
    public void ReadText_reads_a_checksum_file_up_to_its_cap()
    {
        var text = HttpDownload.ReadText(served.Server.At("/SHA256SUMS"), null, Settings(), 4096, CancellationToken.None);
        Assert.Equal(served.Sha256.ToLowerInvariant() + "  disk.qcow2\n", text);

        var error = Assert.ThrowsAny<ImagePsException>(() =>
            HttpDownload.ReadText(served.Server.At("/disk.qcow2"), null, Settings(), 4096, CancellationToken.None));
        Assert.Equal("ImportTextTooLarge", error.ErrorId);
        Assert.Equal(ErrorKind.LimitsExceeded, error.Kind);
        Assert.Contains("4096", error.Message);
    }

    [Fact]
    public void Cancellation_is_an_OperationCanceledException_untouched()
    {
        using var cancel = new CancellationTokenSource();
        using var download = HttpDownload.Open(served.Server.At($"/rate/200000/{served.Copy()}"), null, Settings(), cancel.Token);
        var buffer = new byte[4096];
        Assert.True(download.Body.Read(buffer, 0, buffer.Length) > 0);
        cancel.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            while (download.Body.Read(buffer, 0, buffer.Length) > 0) { }
        });
        Assert.Equal(0, download.Resumes);
    }
}
