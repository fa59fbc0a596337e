using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace ImagePs.Store;

/// <summary>What stands at a source path, found without opening it (opening a FIFO blocks until a writer comes).</summary>
internal enum SourceKind
{
    Missing,
    RegularFile,
    Directory,
    Fifo,
    CharacterDevice,
    BlockDevice,
    Socket,
}

internal static class SourceKinds
{
    // File type bits of stat's st_mode, as .NET's own System.Native shim reports them on every Unix.
    private const int TypeMask = 0xF000;
    private const int Fifo = 0x1000;
    private const int CharacterDevice = 0x2000;
    private const int Directory = 0x4000;
    private const int BlockDevice = 0x6000;
    private const int Regular = 0x8000;
    private const int Socket = 0xC000;

    /// <summary>The kind of <paramref name="fullPath"/>, links followed (a link to a file is that file).</summary>
    public static SourceKind Of(string fullPath)
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            // Windows has no FIFOs or devices at file paths that File.Exists accepts.
            if (System.IO.Directory.Exists(fullPath)) return SourceKind.Directory;
            return File.Exists(fullPath) ? SourceKind.RegularFile : SourceKind.Missing;
        }

        // SystemNative_Stat fills .NET's FileStatus: int Flags, int Mode, then more fields; the
        // buffer is larger than any version of it. It is the call FileSystemInfo itself makes.
        var status = new byte[256];
        if (Stat(Encoding.UTF8.GetBytes(fullPath + "\0"), status) != 0) return SourceKind.Missing;
        return (BitConverter.ToInt32(status, 4) & TypeMask) switch
        {
            Regular => SourceKind.RegularFile,
            Directory => SourceKind.Directory,
            Fifo => SourceKind.Fifo,
            CharacterDevice => SourceKind.CharacterDevice,
            BlockDevice => SourceKind.BlockDevice,
            Socket => SourceKind.Socket,
            _ => SourceKind.Missing,
        };
    }

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", SetLastError = true)]
    private static extern int Stat(byte[] path, byte[] status);
}
