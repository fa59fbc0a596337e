using System;
using System.IO;
using System.Runtime.InteropServices;

namespace ImagePs.Settings;

/// <summary>
/// Makes a new folder readable only by its owner: mode 0700 on Linux and macOS (chmod from the C
/// library; netstandard2.0 has no File.SetUnixFileMode). On Windows nothing is changed: a folder
/// inherits its parent's access list, and the per-user data folder (%LOCALAPPDATA%) already admits
/// only the user, SYSTEM and Administrators.
/// </summary>
internal static class OwnerOnlyPermissions
{
    private const uint OwnerReadWriteExecute = 0x1C0; // octal 0700

    /// <summary>True when the platform has Unix file modes (and so this class changes them).</summary>
    public static bool Supported => !RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

    public static void Apply(string folder)
    {
        if (!Supported) return;
        int result;
        try
        {
            result = chmod(folder, OwnerReadWriteExecute);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new IOException(string.Format(Messages.ChmodFailed, folder, e.Message), e);
        }
        if (result != 0) throw new IOException(string.Format(Messages.ChmodFailed, folder, "errno " + Marshal.GetLastWin32Error()));
    }

    [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int chmod(string path, uint mode);
}
