using System.Diagnostics;
using ImagePs.Tests.Support;

namespace ImagePs.Tests.Import;

/// <summary>
/// Compressed files made by the real tools (gzip, xz, zstd, bzip2, zip) from a payload made of a
/// qemu-img-created qcow2 with data written into it, followed by random bytes.
/// </summary>
internal static class CompressedFiles
{
    /// <summary>The payload: a 64 MiB qcow2 with 2 MiB written, then 1 MiB of random bytes.</summary>
    public static string Payload(TestFolder folder, string name = "disk.img")
    {
        var qcow2 = folder.File("payload.qcow2");
        QemuImg.Create("qcow2", qcow2, "64M");
        QemuImg.Write("qcow2", qcow2, 2);
        var random = new byte[1 << 20];
        new Random(7).NextBytes(random);
        var path = folder.File(name);
        using (var output = File.Create(path))
        {
            using (var input = File.OpenRead(qcow2)) input.CopyTo(output);
            output.Write(random);
        }
        return path;
    }

    /// <summary>Compresses <paramref name="payload"/> with the real tool into <paramref name="target"/>.</summary>
    public static string Compress(string format, string payload, string target)
    {
        switch (format)
        {
            case "gzip": Shell("gzip -c < \"$1\" > \"$2\"", payload, target); break;
            case "xz": Shell("xz -c < \"$1\" > \"$2\"", payload, target); break;
            case "zstd": Shell("zstd -q -c < \"$1\" > \"$2\"", payload, target); break;
            case "bzip2": Shell("bzip2 -c < \"$1\" > \"$2\"", payload, target); break;
            case "zip": Shell("cd \"$(dirname \"$1\")\" && zip -q -X \"$2\" \"$(basename \"$1\")\"", payload, target); break;
            default: throw new ArgumentOutOfRangeException(nameof(format), format, null);
        }
        return target;
    }

    /// <summary>Runs a shell command with the arguments as $1, $2, ...; fails the test when it fails.</summary>
    public static string Shell(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.ArgumentList.Add("sh");
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"'{script}' failed ({process.ExitCode}): {errors.Result}");
        return output;
    }

    public static string Sha256(string path) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))).ToLowerInvariant();

    public static string Sha256(Stream stream) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(stream)).ToLowerInvariant();
}
