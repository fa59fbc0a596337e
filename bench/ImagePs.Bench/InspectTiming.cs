using System.Diagnostics;
using ImagePs.Formats;

/// <summary>
/// Times the native inspector in-process and <c>qemu-img info</c> as a child process on the same
/// file, with the same clock, after a warm-up, for bench/Inspect.ps1.
/// </summary>
static class InspectTiming
{
    /// <summary>Usage: inspect &lt;native-calls&gt; &lt;qemu-calls&gt; &lt;prlimit-or-empty&gt; (&lt;file&gt; &lt;driver&gt;)...; one JSON line per file.</summary>
    public static int Run(string[] args)
    {
        var nativeCalls = int.Parse(args[1]);
        var qemuCalls = int.Parse(args[2]);
        var prlimit = args[3];
        for (var i = 4; i + 1 < args.Length; i += 2)
        {
            var path = args[i];
            var qemuArgs = new[] { "info", "-f", args[i + 1], "--output=json", path };
            var detected = ImageInspector.Inspect(path).Format;
            var native = NativeMicroseconds(path, nativeCalls);
            var qemu = ProcessMilliseconds("qemu-img", qemuArgs, qemuCalls);
            var limited = prlimit.Length == 0 ? double.NaN
                : ProcessMilliseconds(prlimit, new[] { "--cpu=2", "--as=1073741824", "--", "qemu-img" }.Concat(qemuArgs).ToArray(), qemuCalls);
            Console.WriteLine(FormattableString.Invariant(
                $"{{\"file\": \"{Path.GetFileName(path)}\", \"detected\": \"{detected}\", \"nativeMicroseconds\": {native:F2}, \"qemuMilliseconds\": {qemu:F3}, \"prlimitMilliseconds\": {(double.IsNaN(limited) ? "null" : limited.ToString("F3", System.Globalization.CultureInfo.InvariantCulture))}}}"));
        }
        return 0;
    }

    private static double NativeMicroseconds(string path, int calls)
    {
        for (var i = 0; i < Math.Min(calls, 200); i++) ImageInspector.Inspect(path);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < calls; i++) ImageInspector.Inspect(path);
        return clock.Elapsed.TotalMilliseconds * 1000 / calls;
    }

    private static double ProcessMilliseconds(string program, string[] arguments, int calls)
    {
        RunOnce(program, arguments);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < calls; i++) RunOnce(program, arguments);
        return clock.Elapsed.TotalMilliseconds / calls;
    }

    private static void RunOnce(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        _ = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} exited with {process.ExitCode}");
    }
}
