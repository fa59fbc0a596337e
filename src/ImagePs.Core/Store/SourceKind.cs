using System;
using System.IO;
using System.Runtime.InteropServices;

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
    // File type bits of stat's st_mode (RepositoryFile.FileTypeOf, the one stat of the engine).
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

        int? type;
        try
        {
            type = Settings.RepositoryFile.FileTypeOf(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return SourceKind.Missing; // cannot be looked at: reported as not found, as before
        }
        return type switch
        {
            null => SourceKind.Missing,
            Regular => SourceKind.RegularFile,
            Directory => SourceKind.Directory,
            Fifo => SourceKind.Fifo,
            CharacterDevice => SourceKind.CharacterDevice,
            BlockDevice => SourceKind.BlockDevice,
            Socket => SourceKind.Socket,
            _ => SourceKind.Missing,
        };
    }
}
