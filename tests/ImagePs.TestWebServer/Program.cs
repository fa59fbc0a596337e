// The import tests' web server. Usage: dotnet ImagePs.TestWebServer.dll <folder>
// Listens on 127.0.0.1 on a free port; the first line on stdout is "Listening on http://127.0.0.1:PORT".
// Ends when stdin closes (the test that started it ended, even by a crash) or on Ctrl+C.
//
// GET /<file>                        the file, with Range, If-Range, ETag and Last-Modified (ASP.NET's file result)
// GET /<options>/<file>              the file through the options below (any order, combined):
//     drop/<bytes>/<times>           the first <times> answers for this path close the connection after <bytes> body bytes
//     stall/<bytes>/<seconds>/<times> the first <times> answers send <bytes> body bytes, then nothing for <seconds>, then close
//     hang/<seconds>/<times>         the first <times> requests for this path get no answer for <seconds> (then the file)
//     norange                        Range is ignored (always 200, whole file), no Accept-Ranges
//     noetag                         neither ETag nor Last-Modified
//     changing                       a new ETag on every answer
//     weaketag                       a weak ETag (W/"..."): If-Range has to use Last-Modified
//     auth/<user>/<password>         Basic authentication required
//     rate/<bytesPerSecond>          throttled
// GET /redirect?to=<url>[&code=302]  a redirect to <url> (relative or absolute)
// GET /loop                          a redirect to itself
// GET /status/<code>                 an empty answer with that status
// GET /count[?path=<path>]           body bytes served: for one path (a number), or all (a JSON object)
// GET /log                           every request so far (not /log, /count): method, path, host, range, ifRange, authorization
// "Answers for this path" are counted per request path, so a test that wants fresh counters uses its own file name.
using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

if (args.Length != 1 || !Directory.Exists(args[0]))
{
    Console.Error.WriteLine("Usage: ImagePs.TestWebServer <folder to serve>");
    return 2;
}
var root = Path.GetFullPath(args[0]);

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0));
var app = builder.Build();

var log = new ConcurrentQueue<RequestLogEntry>();
var served = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
var answers = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
var hangs = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);

app.Use(async (context, next) =>
{
    var path = context.Request.Path.Value ?? "/";
    if (path is "/log" or "/count")
    {
        await next(context);
        return;
    }
    log.Enqueue(new RequestLogEntry(context.Request.Method, path + context.Request.QueryString, context.Request.Host.Value ?? "",
        context.Request.Headers.Range.ToString(), context.Request.Headers.IfRange.ToString(), context.Request.Headers.Authorization.Count > 0));
    var body = context.Features.Get<IHttpResponseBodyFeature>()!;
    var counting = new CountingStream(body.Stream, count => served.AddOrUpdate(path, count, (_, total) => total + count));
    context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(counting, body));
    await next(context);
});

app.MapGet("/log", () => Results.Json(log.ToArray()));
app.MapGet("/count", (string? path) => path is null ? Results.Json(served) : Results.Text(served.GetValueOrDefault(path).ToString()));
app.MapGet("/status/{code:int}", (int code) => Results.StatusCode(code));
app.MapGet("/loop", () => Results.Redirect("/loop"));
app.MapGet("/redirect", (HttpContext context, string to, int? code) =>
{
    context.Response.StatusCode = code ?? 302;
    context.Response.Headers.Location = to;
    return Task.CompletedTask;
});
app.MapGet("/{**route}", (HttpContext context, string route) => Serve(context, route));

await app.StartAsync();
var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
Console.WriteLine("Listening on " + address.Replace("[::]", "127.0.0.1"));
Console.Out.Flush();

var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.TrySetResult();
};
_ = Task.Run(() =>
{
    try
    {
        while (Console.In.ReadLine() is not null) { }
    }
    catch (IOException) { }
    stop.TrySetResult();
});
await stop.Task;
await app.StopAsync(TimeSpan.FromSeconds(2));
return 0;

async Task Serve(HttpContext context, string route)
{
    var options = FaultOptions.Parse(route, out var file);
    var path = Path.GetFullPath(Path.Combine(root, file));
    if (!path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(path))
    {
        context.Response.StatusCode = 404;
        return;
    }
    if (options.User is not null && !Authorized(context.Request, options.User, options.Password!))
    {
        context.Response.StatusCode = 401;
        context.Response.Headers.WWWAuthenticate = "Basic realm=\"test\"";
        return;
    }
    if (options.HangTimes > 0 && hangs.AddOrUpdate(context.Request.Path.Value!, 0, (_, n) => n + 1) < options.HangTimes)
    {
        try { await Task.Delay(TimeSpan.FromSeconds(options.HangSeconds), context.RequestAborted); }
        catch (OperationCanceledException) { return; }
    }
    var info = new FileInfo(path);
    var lastModified = new DateTimeOffset(info.LastWriteTimeUtc.Ticks - info.LastWriteTimeUtc.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
    var tag = new EntityTagHeaderValue("\"" + info.Length.ToString("x") + "-" + lastModified.ToUnixTimeSeconds().ToString("x") + "\"");
    if (options.IsPlain)
    {
        await Results.File(path, "application/octet-stream", lastModified: lastModified, entityTag: tag, enableRangeProcessing: true).ExecuteAsync(context);
        return;
    }
    if (options.Changing) tag = new EntityTagHeaderValue("\"" + Guid.NewGuid().ToString("N") + "\"");
    if (options.WeakEtag) tag = new EntityTagHeaderValue(tag.Tag, isWeak: true);
    var answer = answers.AddOrUpdate(context.Request.Path.Value!, 0, (_, n) => n + 1);

    long start = 0, end = info.Length - 1;
    var response = context.Response;
    if (!options.NoRange && RangeHeaderValue.TryParse(context.Request.Headers.Range.ToString(), out var range)
        && range.Unit.Equals("bytes", StringComparison.OrdinalIgnoreCase) && range.Ranges.Count == 1 && IfRangeHolds(context.Request, options.NoEtag ? null : tag, lastModified))
    {
        var wanted = range.Ranges.First();
        if (wanted.From is not { } from || from >= info.Length)
        {
            response.StatusCode = 416;
            response.Headers.ContentRange = "bytes */" + info.Length;
            return;
        }
        start = from;
        if (wanted.To is { } to && to < end) end = to;
        response.StatusCode = 206;
        response.Headers.ContentRange = $"bytes {start}-{end}/{info.Length}";
    }
    if (!options.NoRange) response.Headers.AcceptRanges = "bytes";
    if (!options.NoEtag)
    {
        response.Headers.ETag = tag.ToString();
        response.Headers.LastModified = lastModified.ToString("R");
    }
    response.ContentType = "application/octet-stream";
    response.ContentLength = end - start + 1;

    long? cutAfter = null;
    var stallSeconds = 0;
    if (answer < options.DropTimes) cutAfter = options.DropAfter;
    if (answer < options.StallTimes)
    {
        cutAfter = options.StallAfter;
        stallSeconds = options.StallSeconds;
    }
    await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
    stream.Position = start;
    var remaining = end - start + 1;
    var buffer = new byte[options.BytesPerSecond is > 0 and < 65536 ? (int)Math.Max(1, options.BytesPerSecond / 10) : 65536];
    var cancel = context.RequestAborted;
    var began = DateTime.UtcNow;
    long sent = 0;
    while (remaining > 0)
    {
        var chunk = (int)Math.Min(buffer.Length, remaining);
        if (cutAfter is { } cut) chunk = (int)Math.Min(chunk, cut - sent);
        if (chunk <= 0)
        {
            await response.Body.FlushAsync(cancel);
            if (stallSeconds > 0)
            {
                try { await Task.Delay(TimeSpan.FromSeconds(stallSeconds), cancel); }
                catch (OperationCanceledException) { }
            }
            else
            {
                // Kestrel's Abort drops what its output pipe still holds: give the bytes written time to leave.
                await Task.Delay(200, CancellationToken.None);
            }
            context.Abort();
            return;
        }
        var read = await stream.ReadAsync(buffer.AsMemory(0, chunk), cancel);
        if (read == 0) break;
        await response.Body.WriteAsync(buffer.AsMemory(0, read), cancel);
        sent += read;
        remaining -= read;
        if (options.BytesPerSecond > 0)
        {
            var due = began + TimeSpan.FromSeconds((double)sent / options.BytesPerSecond);
            var wait = due - DateTime.UtcNow;
            if (wait > TimeSpan.Zero) await Task.Delay(wait, cancel);
        }
    }
}

static bool Authorized(HttpRequest request, string user, string password)
{
    if (!System.Net.Http.Headers.AuthenticationHeaderValue.TryParse(request.Headers.Authorization.ToString(), out var value)
        || !string.Equals(value.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) || value.Parameter is null) return false;
    try
    {
        return Encoding.UTF8.GetString(Convert.FromBase64String(value.Parameter)) == user + ":" + password;
    }
    catch (FormatException)
    {
        return false;
    }
}

static bool IfRangeHolds(HttpRequest request, EntityTagHeaderValue? tag, DateTimeOffset lastModified)
{
    var ifRange = request.Headers.IfRange.ToString();
    if (ifRange.Length == 0) return true;
    if (ifRange.StartsWith('"')) return tag is not null && ifRange == tag.Tag.ToString();
    if (ifRange.StartsWith("W/", StringComparison.Ordinal)) return false;
    return tag is not null && DateTimeOffset.TryParse(ifRange, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var date) && date == lastModified;
}

internal sealed record RequestLogEntry(string Method, string Path, string Host, string Range, string IfRange, bool Authorization);

/// <summary>The options in front of a file name in the route, e.g. drop/1000/2/norange/disk.qcow2.</summary>
internal sealed class FaultOptions
{
    public long DropAfter { get; private set; }
    public int DropTimes { get; private set; }
    public long StallAfter { get; private set; }
    public int StallSeconds { get; private set; }
    public int StallTimes { get; private set; }
    public int HangSeconds { get; private set; }
    public int HangTimes { get; private set; }
    public bool NoRange { get; private set; }
    public bool NoEtag { get; private set; }
    public bool Changing { get; private set; }
    public bool WeakEtag { get; private set; }
    public string? User { get; private set; }
    public string? Password { get; private set; }
    public long BytesPerSecond { get; private set; }
    public bool IsPlain { get; private set; } = true;

    public static FaultOptions Parse(string route, out string file)
    {
        var options = new FaultOptions();
        var parts = route.Split('/');
        var i = 0;
        while (i < parts.Length - 1)
        {
            switch (parts[i])
            {
                case "drop":
                    options.DropAfter = long.Parse(parts[i + 1]);
                    options.DropTimes = int.Parse(parts[i + 2]);
                    i += 3;
                    break;
                case "stall":
                    options.StallAfter = long.Parse(parts[i + 1]);
                    options.StallSeconds = int.Parse(parts[i + 2]);
                    options.StallTimes = int.Parse(parts[i + 3]);
                    i += 4;
                    break;
                case "hang":
                    options.HangSeconds = int.Parse(parts[i + 1]);
                    options.HangTimes = int.Parse(parts[i + 2]);
                    i += 3;
                    break;
                case "norange":
                    options.NoRange = true;
                    i += 1;
                    break;
                case "noetag":
                    options.NoEtag = true;
                    i += 1;
                    break;
                case "weaketag":
                    options.WeakEtag = true;
                    i += 1;
                    break;
                case "changing":
                    options.Changing = true;
                    i += 1;
                    break;
                case "auth":
                    options.User = Uri.UnescapeDataString(parts[i + 1]);
                    options.Password = Uri.UnescapeDataString(parts[i + 2]);
                    i += 3;
                    break;
                case "rate":
                    options.BytesPerSecond = long.Parse(parts[i + 1]);
                    i += 2;
                    break;
                default:
                    file = string.Join('/', parts.Skip(i));
                    return options;
            }
            options.IsPlain = false;
        }
        file = string.Join('/', parts.Skip(i));
        return options;
    }
}

/// <summary>Counts the body bytes written (for /count).</summary>
internal sealed class CountingStream(Stream inner, Action<long> counted) : Stream
{
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count)
    {
        inner.Write(buffer, offset, count);
        counted(count);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await inner.WriteAsync(buffer, cancellationToken);
        counted(buffer.Length);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
}
