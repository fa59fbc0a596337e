using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace ImagePs.Store;

/// <summary>
/// Linux direct I/O (O_DIRECT) for store files: chunks go from the copier's aligned buffers to the
/// device without passing through the page cache. On the VMs ImagePs is measured on, the page-cache
/// copy costs as much CPU as MD5 itself; skipping it is what lets an upload run at hashing speed.
/// The last, unaligned bytes are written with O_DIRECT cleared. On another OS or CPU
/// <see cref="TryCreate"/> returns null and the store uses <see cref="FileChunkWriter"/>; on a
/// filesystem that refuses direct I/O (ramfs, tmpfs before Linux 6.6, some FUSE and network
/// filesystems) the same descriptor writes through the page cache.
/// </summary>
internal sealed class DirectFileChunkWriter : IChunkWriter, IDisposable
{
    private const int OWronly = 0x1, OCreat = 0x40, OExcl = 0x80, OCloexec = 0x80000;
    private const int FGetfl = 3, FSetfl = 4;
    private const int LockEx = 2, LockNb = 4;
    private const int Einval = 22, Eacces = 13, Eperm = 1, Eintr = 4;

    private readonly int _fd;
    private readonly int _directFlag;
    private readonly string _path;
    private readonly bool _canDirect;
    private bool _direct;

    private DirectFileChunkWriter(int fd, int directFlag, string path, bool canDirect)
    {
        _fd = fd;
        _directFlag = directFlag;
        _path = path;
        _canDirect = canDirect;
        _direct = canDirect;
    }

    /// <summary>Creates <paramref name="path"/> (it must not exist) for direct writing, or returns null.</summary>
    public static DirectFileChunkWriter? TryCreate(string path, bool ownerOnly = true)
    {
        var directFlag = DirectFlag();
        if (directFlag == 0) return null;
        var noFollow = directFlag == 0x4000 ? 0x20000 : 0x8000;
        // Opened without O_DIRECT, which is then switched on: open(O_CREAT | O_DIRECT) on a filesystem
        // without direct I/O creates the file and only then fails (EINVAL), leaving it behind.
        var fd = open(Encoding.UTF8.GetBytes(path + "\0"), OWronly | OCreat | OExcl | OCloexec | noFollow, Convert.ToInt32(ownerOnly ? "600" : "666", 8));
        if (fd < 0) throw Error(Marshal.GetLastWin32Error(), path);
        // Locked while written, as the ordinary file is: recovery does not delete a file being written.
        if (flock(fd, LockEx | LockNb) != 0)
        {
            var lockErrno = Marshal.GetLastWin32Error();
            close(fd);
            throw Error(lockErrno, path);
        }
        var flags = fcntl(fd, FGetfl, 0);
        if (flags >= 0 && fcntl(fd, FSetfl, flags | directFlag) == 0) return new DirectFileChunkWriter(fd, directFlag, path, canDirect: true);
        var errno = Marshal.GetLastWin32Error();
        if (flags >= 0 && errno == Einval) return new DirectFileChunkWriter(fd, directFlag, path, canDirect: false);
        close(fd);
        throw Error(errno, path);
    }

    public void Write(DataChunk chunk)
    {
        if (!_canDirect)
        {
            WriteAll(chunk.Address, chunk.Count);
            return;
        }
        var aligned = chunk.Count & ~(DataChunk.Alignment - 1);
        if (aligned > 0)
        {
            if (!_direct) SetDirect(true);
            WriteAll(chunk.Address, aligned);
        }
        var tail = chunk.Count - aligned;
        if (tail > 0)
        {
            // Only the last chunk of a copy can end off the alignment.
            SetDirect(false);
            WriteAll(chunk.Address + aligned, tail);
        }
    }

    public void Flush()
    {
        if (fsync(_fd) != 0) throw Error(Marshal.GetLastWin32Error(), _path);
    }

    public void Dispose() => close(_fd);

    private void WriteAll(IntPtr address, int count)
    {
        while (count > 0)
        {
            var written = (long)write(_fd, address, (IntPtr)count);
            if (written < 0)
            {
                var errno = Marshal.GetLastWin32Error();
                if (errno == Eintr) continue;
                throw Error(errno, _path);
            }
            address += (int)written;
            count -= (int)written;
        }
    }

    private void SetDirect(bool on)
    {
        var flags = fcntl(_fd, FGetfl, 0);
        if (flags < 0 || fcntl(_fd, FSetfl, on ? flags | _directFlag : flags & ~_directFlag) < 0)
            throw Error(Marshal.GetLastWin32Error(), _path);
        _direct = on;
    }

    /// <summary>O_DIRECT differs between architectures; 0 where ImagePs does not use it.</summary>
    private static int DirectFlag()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return 0;
        return RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 or Architecture.X86 => 0x4000,
            Architecture.Arm64 or Architecture.Arm => 0x10000,
            _ => 0,
        };
    }

    /// <summary>The same exceptions .NET raises for these errors, so the store classifies them alike.</summary>
    private static Exception Error(int errno, string path)
    {
        var message = $"{new System.ComponentModel.Win32Exception(errno).Message} : '{path}'";
        return errno is Eacces or Eperm ? new UnauthorizedAccessException(message) : new IOException(message, errno);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int open(byte[] path, int flags, int mode);

    [DllImport("libc", SetLastError = true)]
    private static extern IntPtr write(int fd, IntPtr buffer, IntPtr count);

    [DllImport("libc", SetLastError = true)]
    private static extern int fcntl(int fd, int command, int argument);

    [DllImport("libc", SetLastError = true)]
    private static extern int flock(int fd, int operation);

    [DllImport("libc", SetLastError = true)]
    private static extern int fsync(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}
