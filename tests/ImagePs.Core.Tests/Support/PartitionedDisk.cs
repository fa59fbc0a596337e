using System.Diagnostics;

namespace ImagePs.Tests.Support;

/// <summary>
/// Raw disks partitioned by sgdisk (gdisk; build.ps1 installs it): a GPT disk (protective MBR, one
/// Linux partition), or the same converted to a plain MBR disk (sgdisk --gpttombr). sgdisk works on
/// the image file only.
/// </summary>
internal static class PartitionedDisk
{
    /// <summary>Byte offset of MBR partition entry <paramref name="index"/> (0-3).</summary>
    public static long Entry(int index) => 446 + index * 16;

    public static void Gpt(string path, string size = "16M")
    {
        QemuImg.Create("raw", path, size);
        Sgdisk("-o", "-n", "1:2048:0", "-t", "1:8300", path);
    }

    public static void Mbr(string path, string size = "16M")
    {
        Gpt(path, size);
        Sgdisk("--gpttombr=1", path);
    }

    private static void Sgdisk(params string[] args)
    {
        var start = new ProcessStartInfo("sgdisk") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"sgdisk is required by this test (install gdisk; build.ps1 does): {e.Message}");
        }
        using (process)
        {
            var error = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0) throw new InvalidOperationException($"sgdisk failed ({process.ExitCode}): {error.Result}");
        }
    }
}
