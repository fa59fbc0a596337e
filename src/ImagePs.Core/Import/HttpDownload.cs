using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ImagePs.Errors;

namespace ImagePs.Import;

/// <summary>
/// One HTTP(S) download, read once from start to end through <see cref="Body"/>. Redirects are
/// followed here (each hop through <see cref="ImportFilter"/>); credentials go only to the origin
/// (scheme, host, port) of the URL given. A connection that drops, or sends nothing for
/// StallTimeoutSeconds, is continued with a Range request from the byte reached, validated with
/// If-Range, up to MaxResumes times: the reader sees the whole entity once, or an error.
/// </summary>
internal sealed class HttpDownload : IDisposable
{
    /// <summary>Redirects followed for one request before giving up (browsers and curl use 20 and 50; 10 is plenty for a download).</summary>
    public const int MaxRedirects = 10;

    private readonly HttpClient client;
    private readonly ImportFilter filter;
    private readonly ImportSettings settings;
    private readonly Uri original;
    private readonly AuthenticationHeaderValue? authorization;
    private readonly CancellationToken cancellationToken;
    private readonly Action<string>? verbose;
    private HttpResponseMessage? response;
    private Stream? content;
    private EntityTagHeaderValue? entityTag;
    private DateTimeOffset? lastModified;
    private long position;
    private bool finished;
    private bool disposed;

    private HttpDownload(Uri uri, NetworkCredential? credential, ImportSettings settings, CancellationToken cancellationToken, Action<string>? verbose)
    {
        this.settings = settings;
        this.cancellationToken = cancellationToken;
        this.verbose = verbose;
        filter = new ImportFilter(settings);
        filter.Check(uri);
        // Credentials written into the URL (http://user:password@host/) count as given, and the URL
        // is requested (and shown) without them.
        if (credential is null && uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(new[] { ':' }, 2);
            credential = new NetworkCredential(Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : string.Empty);
        }
        original = WithoutUserInfo(uri);
        FinalUri = original;
        if (credential is not null)
        {
            var pair = Encoding.UTF8.GetBytes(credential.UserName + ":" + credential.Password);
            authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(pair));
        }
        // The default proxy (HTTP_PROXY, HTTPS_PROXY, NO_PROXY; the system's on Windows) stays on.
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(settings.StallTimeoutSeconds),
        };
        client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("ImagePs", typeof(HttpDownload).Assembly.GetName().Version?.ToString(3)));
        Body = new BodyStream(this);
    }

    /// <summary>The whole entity, forward only; reading it may resume the download underneath.</summary>
    public Stream Body { get; }

    /// <summary>Content-Length of the whole entity; null when the server did not say.</summary>
    public long? Length { get; private set; }

    /// <summary>The URL that answered, after redirects (without credentials).</summary>
    public Uri FinalUri { get; private set; }

    /// <summary>The last path segment of <see cref="FinalUri"/>, unescaped; "" when the path ends in '/'.</summary>
    public string FileName
    {
        get
        {
            var path = FinalUri.AbsolutePath;
            return Uri.UnescapeDataString(path.Substring(path.LastIndexOf('/') + 1));
        }
    }

    /// <summary>Resumes done so far (each new request after a lost connection counts).</summary>
    public int Resumes { get; private set; }

    public static HttpDownload Open(Uri uri, NetworkCredential? credential, ImportSettings settings, CancellationToken cancellationToken, Action<string>? verbose = null)
    {
        var download = new HttpDownload(uri, credential, settings, cancellationToken, verbose);
        try
        {
            download.OpenAsync().GetAwaiter().GetResult();
            return download;
        }
        catch
        {
            download.Dispose();
            throw;
        }
    }

    /// <summary>A small text (a checksum file), read whole; larger than <paramref name="maxBytes"/> is an error.</summary>
    public static string ReadText(Uri uri, NetworkCredential? credential, ImportSettings settings, long maxBytes, CancellationToken cancellationToken)
    {
        using var download = Open(uri, credential, settings, cancellationToken);
        var safe = UriText.Safe(download.FinalUri);
        if (download.Length > maxBytes) throw ImageErrors.ImportTextTooLarge(safe, maxBytes);
        using var text = new MemoryStream();
        var buffer = new byte[16384];
        int read;
        while ((read = download.Body.Read(buffer, 0, buffer.Length)) > 0)
        {
            if (text.Length + read > maxBytes) throw ImageErrors.ImportTextTooLarge(safe, maxBytes);
            text.Write(buffer, 0, read);
        }
        return new UTF8Encoding(false, false).GetString(text.GetBuffer(), 0, (int)text.Length);
    }

    private async Task OpenAsync()
    {
        HttpResponseMessage answer;
        try
        {
            answer = await FetchAsync(original, 0).ConfigureAwait(false);
        }
        catch (Interrupted e)
        {
            throw e.TimedOut
                ? ImageErrors.ImportTimedOut(UriText.Safe(e.Uri), settings.StallTimeoutSeconds)
                : ImageErrors.ImportRequestFailed(UriText.Safe(e.Uri), e.InnerException ?? e);
        }
        using (var failed = answer.StatusCode == HttpStatusCode.OK ? null : answer)
        {
            if (failed is not null) throw HttpFailed(failed);
        }
        await StartAsync(answer).ConfigureAwait(false);
    }

    /// <summary>Takes a 200 answer as the entity from its start.</summary>
    private async Task StartAsync(HttpResponseMessage answer)
    {
        response = answer;
        Length = answer.Content.Headers.ContentLength;
        // If-Range takes a strong entity tag only (RFC 9110 13.1.5); a weak one falls back to Last-Modified.
        entityTag = answer.Headers.ETag is { IsWeak: false } tag ? tag : null;
        lastModified = answer.Content.Headers.LastModified;
        content = await answer.Content.ReadAsStreamAsync().ConfigureAwait(false);
    }

    private ImagePsException HttpFailed(HttpResponseMessage answer) =>
        ImageErrors.ImportHttpFailed(UriText.Safe(FinalUri), (int)answer.StatusCode, answer.ReasonPhrase ?? answer.StatusCode.ToString());

    /// <summary>GET from <paramref name="from"/> on, following redirects; sets <see cref="FinalUri"/>.</summary>
    private async Task<HttpResponseMessage> FetchAsync(Uri start, long from)
    {
        var uri = start;
        for (var hops = 0; ; hops++)
        {
            filter.Check(uri);
            var answer = await SendAsync(uri, from).ConfigureAwait(false);
            var status = (int)answer.StatusCode;
            if (status is not (301 or 302 or 303 or 307 or 308))
            {
                FinalUri = uri;
                return answer;
            }
            var location = answer.Headers.Location;
            answer.Dispose();
            if (location is null) throw ImageErrors.ImportBadRedirect(UriText.Safe(uri), status);
            if (hops == MaxRedirects) throw ImageErrors.ImportTooManyRedirects(UriText.Safe(start), MaxRedirects);
            var next = location.IsAbsoluteUri ? location : new Uri(uri, location);
            verbose?.Invoke(string.Format(System.Globalization.CultureInfo.CurrentCulture, Messages.ImportRedirected, UriText.Safe(uri), status, UriText.Safe(next)));
            uri = WithoutUserInfo(next);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(Uri uri, long from)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (authorization is not null && SameOrigin(uri, original)) request.Headers.Authorization = authorization;
        if (from > 0)
        {
            request.Headers.Range = new RangeHeaderValue(from, null);
            if (entityTag is not null) request.Headers.IfRange = new RangeConditionHeaderValue(entityTag);
            else if (lastModified is { } date) request.Headers.IfRange = new RangeConditionHeaderValue(date);
        }
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(TimeSpan.FromSeconds(settings.StallTimeoutSeconds));
        try
        {
            return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new Interrupted(uri, string.Format(System.Globalization.CultureInfo.CurrentCulture, Messages.ImportNoAnswer, settings.StallTimeoutSeconds), true, e);
        }
        catch (HttpRequestException e)
        {
            throw new Interrupted(uri, e.Message, false, e);
        }
    }

    private async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken readToken)
    {
        if (disposed) throw new ObjectDisposedException(nameof(HttpDownload));
        if (finished || buffer.Length == 0) return 0;
        while (true)
        {
            string reason;
            using (var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, readToken))
            {
                timer.CancelAfter(TimeSpan.FromSeconds(settings.StallTimeoutSeconds));
                try
                {
                    var read = await content!.ReadAsync(buffer, timer.Token).ConfigureAwait(false);
                    if (read > 0)
                    {
                        position += read;
                        return read;
                    }
                    if (Length is not { } length || position >= length)
                    {
                        finished = true;
                        return 0;
                    }
                    reason = string.Format(System.Globalization.CultureInfo.CurrentCulture, Messages.ImportEndedEarly, position, length);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && !readToken.IsCancellationRequested)
                {
                    reason = string.Format(System.Globalization.CultureInfo.CurrentCulture, Messages.ImportStalled, settings.StallTimeoutSeconds);
                }
                catch (Exception e) when (e is IOException or HttpRequestException)
                {
                    reason = e.Message;
                }
            }
            await ResumeAsync(reason).ConfigureAwait(false);
        }
    }

    /// <summary>Continues after a lost connection, from <see cref="position"/>, until it works or MaxResumes is spent.</summary>
    private async Task ResumeAsync(string reason)
    {
        while (true)
        {
            DropResponse();
            if (Resumes >= settings.MaxResumes)
                throw ImageErrors.ImportConnectionLost(UriText.Safe(FinalUri), position, Resumes, reason);
            if (position > 0 && entityTag is null && lastModified is null)
                throw ImageErrors.ImportConnectionLost(UriText.Safe(FinalUri), position, Resumes, reason + "; " + Messages.ImportNoValidator);
            Resumes++;
            verbose?.Invoke(string.Format(System.Globalization.CultureInfo.CurrentCulture, Messages.ImportResuming,
                UriText.Safe(FinalUri), position, Resumes, settings.MaxResumes, reason));
            try
            {
                var answer = await FetchAsync(FinalUri, position).ConfigureAwait(false);
                if (await TakeAsync(answer).ConfigureAwait(false)) return;
                reason = string.Format(System.Globalization.CultureInfo.CurrentCulture, Messages.ImportServerBusy, (int)answer.StatusCode, answer.ReasonPhrase);
                answer.Dispose();
            }
            catch (Interrupted e)
            {
                reason = e.Message;
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                reason = e.Message;
            }
        }
    }

    /// <summary>
    /// Takes the answer to a resumed request. True when reading can go on; false for an answer worth
    /// trying again (5xx, 408, 429); an error when the entity is no longer the one being read.
    /// </summary>
    private async Task<bool> TakeAsync(HttpResponseMessage answer)
    {
        var status = (int)answer.StatusCode;
        if (status == 206 && position > 0)
        {
            var range = answer.Content.Headers.ContentRange;
            var tag = answer.Headers.ETag;
            if (range is not { HasRange: true } || range.From != position || (Length is { } total && range.Length is { } length && length != total)
                || (entityTag is not null && tag is not null && !tag.Equals(entityTag)))
            {
                answer.Dispose();
                throw ImageErrors.ImportSourceChanged(UriText.Safe(FinalUri), position);
            }
            response = answer;
            content = await answer.Content.ReadAsStreamAsync().ConfigureAwait(false);
            return true;
        }
        if (status == 200)
        {
            if (position == 0)
            {
                await StartAsync(answer).ConfigureAwait(false);
                return true;
            }
            // The whole entity again: a server without Range support, or If-Range saw a change. The
            // same entity (same strong tag, or same date and length) is read again from its start and
            // the bytes already handed over are skipped; anything else cannot be stitched on.
            if (!SameEntity(answer))
            {
                answer.Dispose();
                throw ImageErrors.ImportSourceChanged(UriText.Safe(FinalUri), position);
            }
            verbose?.Invoke(string.Format(System.Globalization.CultureInfo.CurrentCulture, Messages.ImportSkipping, UriText.Safe(FinalUri), position));
            response = answer;
            content = await answer.Content.ReadAsStreamAsync().ConfigureAwait(false);
            await SkipAsync(position).ConfigureAwait(false);
            return true;
        }
        if (status == 416)
        {
            answer.Dispose();
            throw ImageErrors.ImportSourceChanged(UriText.Safe(FinalUri), position);
        }
        if (status >= 500 || status == 408 || status == 429) return false;
        using (answer) throw HttpFailed(answer);
    }

    private bool SameEntity(HttpResponseMessage answer)
    {
        if (answer.Content.Headers.ContentLength != Length) return false;
        var tag = answer.Headers.ETag is { IsWeak: false } strong ? strong : null;
        if (entityTag is not null) return tag is not null && tag.Equals(entityTag);
        return tag is null && lastModified is not null && answer.Content.Headers.LastModified == lastModified;
    }

    /// <summary>Reads and drops <paramref name="count"/> bytes of the new answer (a lost connection here is one more resume).</summary>
    private async Task SkipAsync(long count)
    {
        var buffer = new byte[81920];
        while (count > 0)
        {
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timer.CancelAfter(TimeSpan.FromSeconds(settings.StallTimeoutSeconds));
            int read;
            try
            {
                read = await content!.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), timer.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new Interrupted(FinalUri, string.Format(System.Globalization.CultureInfo.CurrentCulture, Messages.ImportStalled, settings.StallTimeoutSeconds), true, e);
            }
            if (read == 0) throw new Interrupted(FinalUri, string.Format(System.Globalization.CultureInfo.CurrentCulture, Messages.ImportEndedEarly, position - count, Length), false, null);
            count -= read;
        }
    }

    private void DropResponse()
    {
        content?.Dispose();
        response?.Dispose();
        content = null;
        response = null;
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;

    private static Uri WithoutUserInfo(Uri uri) =>
        uri.UserInfo.Length == 0 ? uri : new UriBuilder(uri) { UserName = string.Empty, Password = string.Empty }.Uri;

    public void Dispose()
    {
        disposed = true;
        DropResponse();
        client.Dispose();
    }

    /// <summary>A request that failed before an answer: worth a resume, or an error on the first request.</summary>
    private sealed class Interrupted : Exception
    {
        public Interrupted(Uri uri, string message, bool timedOut, Exception? inner)
            : base(message, inner)
        {
            Uri = uri;
            TimedOut = timedOut;
        }

        public Uri Uri { get; }

        public bool TimedOut { get; }
    }

    /// <summary>The reader's view: forward-only, no length claims beyond <see cref="Length"/>.</summary>
    private sealed class BodyStream : Stream
    {
        private readonly HttpDownload download;

        public BodyStream(HttpDownload download) => this.download = download;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => download.position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) =>
            download.ReadAsync(buffer.AsMemory(offset, count), CancellationToken.None).AsTask().GetAwaiter().GetResult();

        public override int Read(Span<byte> buffer)
        {
            var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(buffer.Length);
            try
            {
                var read = Read(rented, 0, buffer.Length);
                rented.AsSpan(0, read).CopyTo(buffer);
                return read;
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            download.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            download.ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
