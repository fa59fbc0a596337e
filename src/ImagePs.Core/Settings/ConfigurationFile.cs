using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace ImagePs.Settings;

/// <summary>
/// Reads a read-only configuration file (imageps.json, the policy file, the property protections
/// file) as a regular file of bounded size: a folder, a FIFO or a socket at its path is refused
/// (a FIFO would otherwise hang every command), and a device such as /dev/zero stops at
/// <see cref="MaxBytes"/> instead of filling memory. A symbolic link to a regular file is fine:
/// admins keep these files on other disks that way.
/// </summary>
internal static class ConfigurationFile
{
    /// <summary>The most ImagePs reads from one configuration file: 1 MiB.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>The file's text (UTF-8, or what its byte order mark says); <paramref name="error"/> builds the refusal from a reason.</summary>
    public static string ReadText(string path, Func<string, Exception> error)
    {
        var bytes = ReadBytes(path, error);
        using var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    public static byte[] ReadBytes(string path, Func<string, Exception> error)
    {
        if (Directory.Exists(path)) throw error(Messages.ConfigurationNotRegularFile);
        try
        {
            using var stream = OpenWithoutWaiting(path);
            // Pipes and sockets cannot seek; regular files (and devices, bounded below) can.
            if (!stream.CanSeek) throw error(Messages.ConfigurationNotRegularFile);
            return ReadBounded(stream, path, error);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw error(e.Message);
        }
    }

    private static byte[] ReadBounded(Stream stream, string path, Func<string, Exception> error)
    {
        var buffer = new byte[64 * 1024];
        using var content = new MemoryStream();
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            if (content.Length + read > MaxBytes) throw error(string.Format(Messages.ConfigurationTooLarge, MaxBytes));
            content.Write(buffer, 0, read);
        }
        return content.ToArray();
    }

    /// <summary>
    /// Opens for reading without blocking on a FIFO that has no writer (a plain open would wait for
    /// one for ever). Windows has no FIFOs at file paths, so the ordinary open is used there.
    /// </summary>
    private static FileStream OpenWithoutWaiting(string path)
    {
        var flags = NonBlockingReadFlags();
        if (flags is null) return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        if (!File.Exists(path)) return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1); // the usual "not found"

        var descriptor = open(path, flags.Value);
        if (descriptor < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException(Marshal.GetPInvokeErrorMessage(errno));
        }
        return new FileStream(new SafeFileHandle((IntPtr)descriptor, ownsHandle: true), FileAccess.Read, 1);
    }

    /// <summary>O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC for this platform; null on Windows.</summary>
    private static int? NonBlockingReadFlags()
    {
        if (OperatingSystem.IsLinux()) return 0x800 | 0x100 | 0x80000;
        if (OperatingSystem.IsMacOS()) return 0x4 | 0x20000 | 0x1000000;
        if (OperatingSystem.IsFreeBSD()) return 0x4 | 0x8000 | 0x100000;
        return null;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);
}
