namespace ImagePs.Tests.Support;

/// <summary>ISO 9660 images: written by hand (always available) or made by xorriso (when installed).</summary>
internal static class IsoImage
{
    /// <summary>
    /// A minimal valid ISO 9660 volume: 16 empty system-area sectors, a primary volume descriptor
    /// (type 1, "CD001", version 1, volume space size, logical block size 2048), a terminator.
    /// </summary>
    public static void WriteMinimal(string path, int sectors = 64)
    {
        var data = new byte[sectors * 2048];
        var pvd = 16 * 2048;
        data[pvd] = 1;
        "CD001"u8.CopyTo(data.AsSpan(pvd + 1));
        data[pvd + 6] = 1;
        BitConverter.TryWriteBytes(data.AsSpan(pvd + 80), sectors);                                   // little-endian half
        BitConverter.TryWriteBytes(data.AsSpan(pvd + 84), System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(sectors));
        BitConverter.TryWriteBytes(data.AsSpan(pvd + 128), (ushort)2048);
        BitConverter.TryWriteBytes(data.AsSpan(pvd + 130), System.Buffers.Binary.BinaryPrimitives.ReverseEndianness((ushort)2048));
        var terminator = 17 * 2048;
        data[terminator] = 255;
        "CD001"u8.CopyTo(data.AsSpan(terminator + 1));
        data[terminator + 6] = 1;
        File.WriteAllBytes(path, data);
    }

    public static bool XorrisoAvailable => Find("xorriso") is not null;

    /// <summary>An ISO of a folder made by xorriso; <paramref name="hybrid"/> adds an MBR partition table (for USB sticks).</summary>
    public static void Make(string path, string sourceFolder, bool hybrid = false)
    {
        var start = new System.Diagnostics.ProcessStartInfo("xorriso") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-as", "mkisofs", "-quiet" }) start.ArgumentList.Add(arg);
        if (hybrid) start.ArgumentList.Add("--protective-msdos-label");
        foreach (var arg in new[] { "-o", path, sourceFolder }) start.ArgumentList.Add(arg);
        using var process = System.Diagnostics.Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"xorriso failed: {error.Result}");
    }

    private static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}
