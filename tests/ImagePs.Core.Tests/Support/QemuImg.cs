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

    /// <summary>Converts an image to another format (qemu-img convert), with the target's options.</summary>
    public static void Convert(string fromFormat, string from, string toFormat, string to, params string[] options)
    {
        var args = new List<string> { "convert", "-q", "-f", fromFormat, "-O", toFormat };
        if (options.Length > 0)
        {
            args.Add("-o");
            args.Add(string.Join(",", options));
        }
        args.Add(from);
        args.Add(to);
        Run("qemu-img", args);
    }

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
