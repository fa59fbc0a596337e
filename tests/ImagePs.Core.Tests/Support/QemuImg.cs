using System.Diagnostics;
using System.Text.Json;

namespace ImagePs.Tests.Support;

/// <summary>Makes real disk images with qemu-img and qemu-io, and asks qemu-img about them.</summary>
internal static class QemuImg
{
    public static void Create(string format, string path, string size, params string[] options)
    {
        var args = new List<string> { "create", "-q", "-f", format };
        if (options.Length > 0)
        {
            args.Add("-o");
            args.Add(string.Join(",", options));
        }
        args.Add(path);
        args.Add(size);
        Run("qemu-img", args);
    }

    /// <summary>A LUKS1 volume with a throw-away passphrase (fast key derivation: this is a test).</summary>
    public static void CreateLuks(string path, string size) =>
        Run("qemu-img", new[] { "create", "-q", "--object", "secret,id=sec0,data=imageps-test", "-f", "luks",
            "-o", "key-secret=sec0,iter-time=10", path, size });

    /// <summary>Writes real data into the image at the start of the disk.</summary>
    public static void Write(string format, string path, int mebibytes, byte pattern = 0xab) =>
        Run("qemu-io", new[] { "-f", format, "-c", $"write -P 0x{pattern:x2} 0 {mebibytes}M", path });

    /// <summary>qemu-img's own answer for the virtual size: the value ImagePs must match.</summary>
    public static long VirtualSize(string format, string path)
    {
        var json = Run("qemu-img", new[] { "info", "-f", format, "--output=json", path });
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("virtual-size").GetInt64();
    }

    private static string Run(string program, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{program} is required by this test (install qemu-utils): {e.Message}");
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEnd();
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0) throw new InvalidOperationException($"{program} failed ({process.ExitCode}): {error}");
            return output;
        }
    }
}
