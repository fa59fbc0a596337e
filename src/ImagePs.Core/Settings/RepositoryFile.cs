using System;
using System.ComponentModel;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using ImagePs.Errors;
using Microsoft.Win32.SafeHandles;

namespace ImagePs.Settings;

/// <summary>
/// Opens, creates and deletes the files ImagePs keeps inside the repository folder as the files they
/// are expected to be: regular files, never reached through a symbolic link or reparse point planted
/// at their path (on a group-shared repository any member could otherwise aim another member's
/// writes at a file of their choosing). The repository folder itself and <c>images/</c> may be links.
/// A refusal is <c>UnsafeRepositoryFile</c>.
/// </summary>
/// <remarks>
/// Race-free: the check is made on the opened handle, not on the path before opening. Unix opens with
/// O_NOFOLLOW (a link at the last component fails with ELOOP) and O_NONBLOCK (a planted FIFO cannot
/// hang the open), then checks with fstat that the handle is a regular file with one name (a hard
/// link to someone else's file is refused too) before anything is truncated or written. Windows
/// opens the reparse point itself and refuses it (implemented; not run on these machines).
/// FileShare.None takes an exclusive flock, a read-only open with sharing a shared one, as .NET
/// does; this flock is made here, so DOTNET_SYSTEM_IO_DISABLEFILELOCKING does not switch it off.
/// </remarks>
internal static class RepositoryFile
{
    /// <summary>Opens <paramref name="path"/> without following a link at its last component.</summary>
    public static FileStream Open(string path, FileMode mode, FileAccess access, FileShare share,
        int bufferSize = 1, FileOptions options = FileOptions.None)
    {
        var handle = IsWindows ? WindowsFile.Open(path, mode, access, share, options) : UnixFile.Open(path, mode, access, share);
        try
        {
            var stream = new FileStream(handle, access, bufferSize);
            if (mode is FileMode.Create or FileMode.Truncate) stream.SetLength(0);
            if (mode == FileMode.Append) stream.Seek(0, SeekOrigin.End);
            return stream;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Deletes the entry at <paramref name="path"/> (a link itself, never what it points to).</summary>
    public static void Delete(string path) => File.Delete(path);

    /// <summary>
    /// For files another library opens by path (SQLite's catalog.db, -wal, -shm): refuses anything
    /// but a regular file or nothing at all.
    /// </summary>
    public static void RequireRegularOrMissing(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists && info.LinkTarget is null && !Directory.Exists(path)) return;
        if (info.LinkTarget is not null || Directory.Exists(path) || (info.Attributes & FileAttributes.ReparsePoint) != 0)
            throw ImageErrors.UnsafeRepositoryFile(path);
        if (IsWindows) return;
        // By stat, never by opening it: closing any descriptor of a file drops every POSIX lock this
        // process holds on it, and SQLite keeps its locks on catalog.db and -shm that way.
        if (UnixFile.TypeOf(path) is int type && type != 0x8000) throw ImageErrors.UnsafeRepositoryFile(path);
    }

    /// <summary>
    /// Whether <paramref name="file"/> (opened through <see cref="Open"/>) is still the file at
    /// <paramref name="path"/>: false when the path was removed or now names another file (same inode
    /// test on Unix; on Windows an open file can be neither removed nor replaced).
    /// </summary>
    public static bool IsStillAt(FileStream file, string path)
    {
        if (IsWindows) return File.Exists(path);
        var held = UnixFile.Identity(file.SafeFileHandle, path);
        return UnixFile.TryIdentity(path) is { } now && now.Device == held.Device && now.Inode == held.Inode;
    }

    /// <summary>
    /// The type of what stands at <paramref name="path"/>, following links (st_mode &amp; S_IFMT, so
    /// 0x8000 a regular file, 0x2000 a character device, ...); null if nothing, or on Windows.
    /// </summary>
    public static int? FileTypeOf(string path) => IsWindows ? null : UnixFile.TypeOf(path);

    /// <summary>The canonical path (every link resolved) of an existing file or folder; the full path on Windows.</summary>
    public static string RealPath(string path) => IsWindows ? Path.GetFullPath(path) : UnixFile.RealPath(path);

    private static bool IsWindows => Path.DirectorySeparatorChar == '\\';

    /// <summary>What fstat tells about a file: enough to know it is ours.</summary>
    internal readonly record struct FileIdentity(ulong Device, ulong Inode, uint Mode, ulong Links)
    {
        public bool Regular => (Mode & 0xF000) == 0x8000;
    }

    private static class UnixFile
    {
        private const int ORdonly = 0, OWronly = 1, ORdwr = 2;
        private const int LockSh = 1, LockEx = 2, LockNb = 4;
        private const int FGetfl = 3, FSetfl = 4;
        private const int Eintr = 4, Eacces = 13, Eperm = 1, Eexist = 17, Enoent = 2, Enxio = 6;

        private static readonly bool s_mac = RuntimeInformation.IsOSPlatform(OSPlatform.OSX);
        private static readonly bool s_arm = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm;

        // The flag values differ: Linux x86 (the asm-generic values), Linux arm64, and macOS (BSD).
        private static int OCreat => s_mac ? 0x200 : 0x40;
        private static int OExcl => s_mac ? 0x800 : 0x80;
        private static int OAppend => s_mac ? 0x8 : 0x400;
        private static int ONonblock => s_mac ? 0x4 : 0x800;
        private static int ONofollow => s_mac ? 0x100 : s_arm ? 0x8000 : 0x20000;
        private static int OCloexec => s_mac ? 0x1000000 : 0x80000;
        private static int Eloop => s_mac ? 62 : 40;
        private static int Ewouldblock => s_mac ? 35 : 11;

        public static SafeFileHandle Open(string path, FileMode mode, FileAccess access, FileShare share)
        {
            var flags = access switch { FileAccess.Read => ORdonly, FileAccess.Write => OWronly, _ => ORdwr }
                | ONofollow | OCloexec | ONonblock;
            // No O_TRUNC: truncating happens only once the handle is known to be a regular file.
            flags |= mode switch
            {
                FileMode.CreateNew => OCreat | OExcl,
                FileMode.Create or FileMode.OpenOrCreate => OCreat,
                FileMode.Append => OCreat | OAppend,
                _ => 0,
            };
            var name = Encoding.UTF8.GetBytes(path + "\0");
            int fd;
            do fd = open(name, flags, Convert.ToInt32("666", 8)); // the umask applies
            while (fd < 0 && Marshal.GetLastWin32Error() == Eintr);
            if (fd < 0)
            {
                var errno = Marshal.GetLastWin32Error();
                if (errno == Eloop || errno == Enxio) throw ImageErrors.UnsafeRepositoryFile(path);
                throw Error(errno, path);
            }

            var handle = new SafeFileHandle((IntPtr)fd, ownsHandle: true);
            try
            {
                var identity = Identity(handle, path);
                if (!identity.Regular || identity.Links > 1) throw ImageErrors.UnsafeRepositoryFile(path);
                var current = fcntl(fd, FGetfl, 0);
                if (current >= 0) fcntl(fd, FSetfl, current & ~ONonblock);
                Lock(fd, share, access, path);
                return handle;
            }
            catch
            {
                handle.Dispose();
                throw;
            }
        }

        private static void Lock(int fd, FileShare share, FileAccess access, string path)
        {
            int operation;
            if (share == FileShare.None) operation = LockEx;
            else if (access == FileAccess.Read && (share & FileShare.Write) == 0) operation = LockSh;
            else return;
            // A reader waits a little for a writer that is closing the file it just moved into place;
            // an exclusive lock is a question ("is it held?") and is answered at once.
            var patience = operation == LockSh ? System.Diagnostics.Stopwatch.StartNew() : null;
            int result;
            while (true)
            {
                result = flock(fd, operation | LockNb);
                if (result == 0) break;
                var error = Marshal.GetLastWin32Error();
                if (error == Eintr) continue;
                if (error != Ewouldblock || patience is null || patience.ElapsedMilliseconds > 5000) break;
                System.Threading.Thread.Sleep(10);
            }
            if (result < 0)
            {
                var errno = Marshal.GetLastWin32Error();
                // The same exception .NET raises for a held lock: IOException with the errno as HResult.
                throw new IOException($"The process cannot access the file '{path}' because it is being used by another process.", errno == Ewouldblock ? Ewouldblock : errno);
            }
        }

        public static FileIdentity Identity(SafeFileHandle handle, string path)
        {
            var buffer = new byte[256];
            var fd = (int)handle.DangerousGetHandle();
            int result;
            try
            {
                result = s_mac && !s_arm ? fstat64(fd, buffer) : fstat(fd, buffer);
            }
            catch (EntryPointNotFoundException)
            {
                // glibc before 2.33 exports only the versioned entry point.
                result = __fxstat(s_arm ? 0 : 1, fd, buffer);
            }
            if (result != 0) throw Error(Marshal.GetLastWin32Error(), path);
            return Decode(buffer);
        }

        /// <summary>The identity of the entry at <paramref name="path"/> itself (a link is not followed), or null if there is none.</summary>
        public static FileIdentity? TryIdentity(string path)
        {
            var fd = open(Encoding.UTF8.GetBytes(path + "\0"), ORdonly | ONofollow | OCloexec | ONonblock, 0);
            if (fd < 0)
            {
                var errno = Marshal.GetLastWin32Error();
                if (errno == Enoent) return null;
                if (errno == Eloop) return new FileIdentity(0, 0, 0xA000, 1); // a symbolic link
                if (errno == Enxio) return new FileIdentity(0, 0, 0xC000, 1); // a socket
                throw Error(errno, path);
            }
            using var handle = new SafeFileHandle((IntPtr)fd, ownsHandle: true);
            return Identity(handle, path);
        }

        public static int? TypeOf(string path)
        {
            var buffer = new byte[256];
            var name = Encoding.UTF8.GetBytes(path + "\0");
            int result;
            try
            {
                result = s_mac && !s_arm ? stat64(name, buffer) : stat(name, buffer);
            }
            catch (EntryPointNotFoundException)
            {
                result = __xstat(s_arm ? 0 : 1, name, buffer);
            }
            if (result != 0)
            {
                var errno = Marshal.GetLastWin32Error();
                if (errno is Enoent or 20) return null; // ENOENT, ENOTDIR
                throw Error(errno, path);
            }
            return (int)(Decode(buffer).Mode & 0xF000);
        }

        public static string RealPath(string path)
        {
            var resolved = realpath(Encoding.UTF8.GetBytes(path + "\0"), IntPtr.Zero);
            if (resolved == IntPtr.Zero) throw Error(Marshal.GetLastWin32Error(), path);
            try
            {
                return Marshal.PtrToStringUTF8(resolved)!;
            }
            finally
            {
                free(resolved);
            }
        }

        /// <summary>struct stat's layout: Linux x86_64, Linux arm64 (the generic one) and macOS (64-bit inodes).</summary>
        private static FileIdentity Decode(byte[] b)
        {
            if (s_mac)
                return new FileIdentity((uint)BitConverter.ToInt32(b, 0), BitConverter.ToUInt64(b, 8), BitConverter.ToUInt16(b, 4), BitConverter.ToUInt16(b, 6));
            if (s_arm)
                return new FileIdentity(BitConverter.ToUInt64(b, 0), BitConverter.ToUInt64(b, 8), BitConverter.ToUInt32(b, 16), BitConverter.ToUInt32(b, 20));
            return new FileIdentity(BitConverter.ToUInt64(b, 0), BitConverter.ToUInt64(b, 8), BitConverter.ToUInt32(b, 24), BitConverter.ToUInt64(b, 16));
        }

        private static Exception Error(int errno, string path)
        {
            var message = $"{new Win32Exception(errno).Message} : '{path}'";
            if (errno == Enoent) return new FileNotFoundException(message, path);
            if (errno == Eexist) return new IOException(message, errno);
            return errno is Eacces or Eperm ? new UnauthorizedAccessException(message) : new IOException(message, errno);
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int open(byte[] path, int flags, int mode);

        [DllImport("libc", SetLastError = true)]
        private static extern int fstat(int fd, byte[] buffer);

        // Intel macOS: the plain symbol still has the old 32-bit-inode layout.
        [DllImport("libc", SetLastError = true, EntryPoint = "fstat$INODE64")]
        private static extern int fstat64(int fd, byte[] buffer);

        [DllImport("libc", SetLastError = true)]
        private static extern int __fxstat(int version, int fd, byte[] buffer);

        [DllImport("libc", SetLastError = true)]
        private static extern int stat(byte[] path, byte[] buffer);

        [DllImport("libc", SetLastError = true, EntryPoint = "stat$INODE64")]
        private static extern int stat64(byte[] path, byte[] buffer);

        [DllImport("libc", SetLastError = true)]
        private static extern int __xstat(int version, byte[] path, byte[] buffer);

        [DllImport("libc", SetLastError = true)]
        private static extern IntPtr realpath(byte[] path, IntPtr resolved);

        [DllImport("libc")]
        private static extern void free(IntPtr pointer);

        [DllImport("libc", SetLastError = true)]
        private static extern int flock(int fd, int operation);

        [DllImport("libc", SetLastError = true)]
        private static extern int fcntl(int fd, int command, int argument);
    }

    /// <summary>Implemented from the Win32 documentation; not run on these machines.</summary>
    private static class WindowsFile
    {
        private const uint GenericRead = 0x80000000, GenericWrite = 0x40000000;
        private const uint FlagOpenReparsePoint = 0x00200000;
        private const uint FileAttributeDirectory = 0x10, FileAttributeReparsePoint = 0x400;

        public static SafeFileHandle Open(string path, FileMode mode, FileAccess access, FileShare share, FileOptions options)
        {
            var desired = (access.HasFlag(FileAccess.Read) ? GenericRead : 0) | (access.HasFlag(FileAccess.Write) ? GenericWrite : 0);
            // CREATE_ALWAYS / TRUNCATE_EXISTING would truncate before the check: truncate afterwards.
            uint disposition = mode switch
            {
                FileMode.CreateNew => 1,
                FileMode.Open or FileMode.Truncate => 3,
                _ => 4,
            };
            var handle = CreateFileW(path, desired, (uint)(share & (FileShare.Read | FileShare.Write | FileShare.Delete)), IntPtr.Zero,
                disposition, FlagOpenReparsePoint | (uint)(options & ~FileOptions.Asynchronous), IntPtr.Zero);
            if (handle.IsInvalid)
            {
                var error = Marshal.GetLastWin32Error();
                handle.Dispose();
                var message = $"{new Win32Exception(error).Message} : '{path}'";
                if (error is 2 or 3) throw new FileNotFoundException(message, path);
                if (error == 5) throw new UnauthorizedAccessException(message);
                throw new IOException(message, unchecked((int)0x80070000) | error);
            }
            if (!GetFileInformationByHandle(handle, out var info)
                || (info.Attributes & (FileAttributeDirectory | FileAttributeReparsePoint)) != 0 || info.NumberOfLinks > 1)
            {
                handle.Dispose();
                throw ImageErrors.UnsafeRepositoryFile(path);
            }
            return handle;
        }

        [StructLayout(LayoutKind.Sequential, Pack = 4)]
        private struct ByHandleFileInformation
        {
            public uint Attributes;
            public long CreationTime, LastAccessTime, LastWriteTime;
            public uint VolumeSerialNumber, FileSizeHigh, FileSizeLow, NumberOfLinks, FileIndexHigh, FileIndexLow;
        }

        [DllImport("kernel32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
        private static extern SafeFileHandle CreateFileW(string name, uint access, uint share, IntPtr security, uint disposition, uint flags, IntPtr template);

        [DllImport("kernel32.dll", SetLastError = true)]
        private static extern bool GetFileInformationByHandle(SafeFileHandle handle, out ByHandleFileInformation information);
    }
}
