namespace ImagePs.Tests.Support;

/// <summary>
/// A small shell script standing in for a misbehaving qemu-img (one that spins, floods its output,
/// allocates without bound or answers something else): real processes, run the way ImagePs runs qemu-img.
/// </summary>
internal static class StandInProgram
{
    public static string Write(string folder, string name, string body)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("stand-in programs are shell scripts");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>Answers like qemu-img info, with the given JSON.</summary>
    public static string Answering(string folder, string json) =>
        Write(folder, "qemu-img-" + Guid.NewGuid().ToString("N")[..8], $"cat <<'EOF'\n{json}\nEOF");
}
