using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;

namespace ImagePs.Formats;

/// <summary>How a child process gets its CPU and address-space limits on this platform.</summary>
internal enum ProcessLimitMethod
{
    /// <summary>No resource limits (Windows): only the wall-clock time limit applies.</summary>
    None,

    /// <summary><c>prlimit --cpu --as -- program ...</c> (util-linux, Linux).</summary>
    Prlimit,

    /// <summary><c>/bin/sh -c 'ulimit -t ...; ulimit -v ...; exec ...'</c> (macOS and other Unix systems).</summary>
    ShellUlimit,
}

/// <summary>
/// Runs a program under Glance's limits for qemu-img: 2 s of CPU time and 1 GiB of address space, so
/// a crafted image cannot make qemu-img spin or allocate without bound.
/// </summary>
internal static class ProcessLimits
{
    public const int CpuSeconds = 2;
    public const long AddressSpaceBytes = 1L << 30;

    /// <summary>prlimit when it is on PATH, else the shell's ulimit on Unix, else none (Windows).</summary>
    public static ProcessLimitMethod Detect()
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return ProcessLimitMethod.None;
        if (ExecutableSearch.Find("prlimit") is not null) return ProcessLimitMethod.Prlimit;
        return File.Exists("/bin/sh") ? ProcessLimitMethod.ShellUlimit : ProcessLimitMethod.None;
    }

    /// <summary>The program and arguments that run <paramref name="program"/> under the limits.</summary>
    public static (string Program, IReadOnlyList<string> Arguments) Wrap(ProcessLimitMethod method, string program, IReadOnlyList<string> arguments) =>
        Wrap(method, program, arguments, CpuSeconds, AddressSpaceBytes);

    /// <summary>The same with other limits (qemu-img convert's scale with the image).</summary>
    public static (string Program, IReadOnlyList<string> Arguments) Wrap(ProcessLimitMethod method, string program, IReadOnlyList<string> arguments,
        long cpuSeconds, long addressSpaceBytes)
    {
        switch (method)
        {
            case ProcessLimitMethod.Prlimit:
                var prlimit = ExecutableSearch.Find("prlimit") ?? "prlimit";
                return (prlimit, new[] { $"--cpu={cpuSeconds}", $"--as={addressSpaceBytes}", "--", program }.Concat(arguments).ToArray());
            case ProcessLimitMethod.ShellUlimit:
                // The CPU limit must hold or nothing runs; the address-space limit is applied where the
                // kernel supports RLIMIT_AS (macOS may refuse it).
                var script = $"ulimit -t {cpuSeconds} || exit 126; ulimit -v {addressSpaceBytes / 1024} 2>/dev/null; exec \"$0\" \"$@\"";
                return ("/bin/sh", new[] { "-c", script, program }.Concat(arguments).ToArray());
            default:
                return (program, arguments);
        }
    }
}
