using System;
using System.IO;
using System.Runtime.InteropServices;

namespace ImagePs.Formats;

/// <summary>Finds a program on PATH the way a shell would, on every platform.</summary>
internal static class ExecutableSearch
{
    public static string? Find(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH");
        if (string.IsNullOrEmpty(path)) return null;
        var windows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
        var candidates = windows ? new[] { name + ".exe", name } : new[] { name };
        foreach (var directory in path!.Split(Path.PathSeparator))
        {
            if (directory.Length == 0) continue;
            foreach (var candidate in candidates)
            {
                try
                {
                    var full = Path.Combine(directory.Trim('"'), candidate);
                    if (File.Exists(full)) return full;
                }
                catch (ArgumentException)
                {
                    // A malformed PATH entry: skip it as shells do.
                }
            }
        }
        return null;
    }
}
