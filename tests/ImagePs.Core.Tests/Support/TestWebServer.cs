using System.Diagnostics;
using System.Text.Json;

namespace ImagePs.Tests.Support;

/// <summary>
/// The import tests' real web server (tests/ImagePs.TestWebServer, built with this project), run as
/// its own process on 127.0.0.1 serving one folder. Killed on Dispose; it also ends by itself when
/// this process dies (its stdin closes). Routes: see the header of its Program.cs.
/// </summary>
internal sealed class TestWebServer : IDisposable
{
    private readonly Process process;

    private TestWebServer(Process process, Uri url)
    {
        this.process = process;
        Url = url;
    }

    /// <summary>http://127.0.0.1:PORT/</summary>
    public Uri Url { get; }

    /// <summary>The same server under another origin (localhost instead of 127.0.0.1).</summary>
    public Uri OtherOriginUrl => new UriBuilder(Url) { Host = "localhost" }.Uri;

    public Uri At(string pathAndQuery) => new(Url, pathAndQuery);

    public static TestWebServer Start(string root)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ServerPath());
        start.ArgumentList.Add(root);
        var process = Process.Start(start)!;
        try
        {
            var line = process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
            const string prefix = "Listening on ";
            if (line is null || !line.StartsWith(prefix, StringComparison.Ordinal))
                throw new InvalidOperationException($"The test web server did not start: {line} {process.StandardError.ReadToEnd()}");
            return new TestWebServer(process, new Uri(line.Substring(prefix.Length).TrimEnd('/') + "/"));
        }
        catch
        {
            Kill(process);
            throw;
        }
    }

    /// <summary>Body bytes the server sent for one request path (e.g. "/drop/100/1/disk.qcow2").</summary>
    public long BytesServed(string path)
    {
        using var client = new HttpClient();
        return long.Parse(client.GetStringAsync(At("/count?path=" + Uri.EscapeDataString(path))).GetAwaiter().GetResult());
    }

    /// <summary>Every request the server saw (but /log and /count), oldest first.</summary>
    public IReadOnlyList<LoggedRequest> Requests()
    {
        using var client = new HttpClient();
        var json = client.GetStringAsync(At("/log")).GetAwaiter().GetResult();
        return JsonSerializer.Deserialize<List<LoggedRequest>>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }

    public void Dispose() => Kill(process);

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        process.Dispose();
    }

    /// <summary>tests/ImagePs.TestWebServer/bin/&lt;configuration&gt;/net10.0/, beside this project's own bin folder.</summary>
    private static string ServerPath()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = here.Name;
        var configuration = here.Parent!.Name;
        var tests = here.Parent.Parent!.Parent!.Parent!.FullName;
        var path = Path.Combine(tests, "ImagePs.TestWebServer", "bin", configuration, framework, "ImagePs.TestWebServer.dll");
        if (!File.Exists(path)) throw new FileNotFoundException("The test web server is not built (dotnet build tests/ImagePs.TestWebServer).", path);
        return path;
    }
}

internal sealed record LoggedRequest(string Method, string Path, string Host, string Range, string IfRange, bool Authorization);
