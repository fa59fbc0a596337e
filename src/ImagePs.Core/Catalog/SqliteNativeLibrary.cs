using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using SQLitePCL;

namespace ImagePs.Catalog;

/// <summary>
/// Makes the native e_sqlite3 library loadable inside a PowerShell module. PowerShell does not read a
/// module's deps.json, so the usual runtimes/&lt;rid&gt;/native lookup never happens; the module ships
/// each platform's library under runtimes/ and this class loads the one for the running process.
/// </summary>
internal static class SqliteNativeLibrary
{
    private const string LibraryName = "e_sqlite3";
    private static readonly object Gate = new();
    private static bool _initialized;
    private static Lazy<IntPtr>? _bundledHandle;

    public static void EnsureInitialized()
    {
        lock (Gate)
        {
            if (_initialized) return;
            var bundled = FindBundledLibrary();
            if (bundled is not null) RegisterResolver(bundled);
            raw.SetProvider(new SQLite3Provider_e_sqlite3());
            _initialized = true;
        }
    }

    /// <summary>runtimes/&lt;rid&gt;/native/&lt;file&gt; beside this assembly, or null.</summary>
    internal static string? FindBundledLibrary()
    {
        var baseDir = Path.GetDirectoryName(typeof(SqliteNativeLibrary).Assembly.Location);
        if (string.IsNullOrEmpty(baseDir)) return null;
        var rid = CurrentRuntimeIdentifier();
        if (rid is null) return null;
        var path = Path.Combine(baseDir!, "runtimes", rid, "native", NativeFileName());
        return File.Exists(path) ? path : null;
    }

    internal static string? CurrentRuntimeIdentifier()
    {
        string os;
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) os = "win";
        else if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX)) os = "osx";
        else if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) os = IsMusl() ? "linux-musl" : "linux";
        else return null;

        string? arch = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => "x64",
            Architecture.X86 => "x86",
            Architecture.Arm64 => "arm64",
            Architecture.Arm => "arm",
            _ => null,
        };
        return arch is null ? null : $"{os}-{arch}";
    }

    private static string NativeFileName()
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return LibraryName + ".dll";
        if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX)) return "lib" + LibraryName + ".dylib";
        return "lib" + LibraryName + ".so";
    }

    private static bool IsMusl()
    {
        try
        {
            return Directory.Exists("/lib") && Directory.GetFiles("/lib", "ld-musl-*").Length > 0;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// On .NET (PowerShell 7) the provider's [DllImport("e_sqlite3")] is routed to the bundled file
    /// through NativeLibrary.SetDllImportResolver. This assembly targets netstandard2.0, where that
    /// API is not declared, so it is bound by reflection once. On .NET Framework (Windows only) the
    /// library is loaded by full path first, and Windows then resolves the DllImport by module name.
    /// </summary>
    private static void RegisterResolver(string path)
    {
        var nativeLibrary = Type.GetType("System.Runtime.InteropServices.NativeLibrary", throwOnError: false);
        var resolverType = Type.GetType("System.Runtime.InteropServices.DllImportResolver", throwOnError: false);
        if (nativeLibrary is null || resolverType is null)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) LoadLibraryExW(path, IntPtr.Zero, LoadWithAlteredSearchPath);
            return;
        }

        var load = nativeLibrary.GetMethod("Load", new[] { typeof(string) })!;
        var setResolver = nativeLibrary.GetMethod("SetDllImportResolver", new[] { typeof(Assembly), resolverType })!;
        _bundledHandle = new Lazy<IntPtr>(() => (IntPtr)load.Invoke(null, new object[] { path })!);
        var callback = Delegate.CreateDelegate(resolverType, typeof(SqliteNativeLibrary).GetMethod(nameof(Resolve), BindingFlags.NonPublic | BindingFlags.Static)!);
        try
        {
            setResolver.Invoke(null, new object[] { typeof(SQLite3Provider_e_sqlite3).Assembly, callback });
        }
        catch (TargetInvocationException e) when (e.InnerException is InvalidOperationException)
        {
            // Another component already resolves this provider's library in this load context.
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == LibraryName && _bundledHandle is not null ? _bundledHandle.Value : IntPtr.Zero;

    /// <summary>
    /// The OS error (errno, or GetLastError on Windows) behind the connection's last failed call, or
    /// null when the library does not say; SQLitePCL does not expose sqlite3_system_errno.
    /// </summary>
    internal static int? SystemErrno(sqlite3 connection)
    {
        if (!NativeLibrary.TryLoad(LibraryName, typeof(SQLite3Provider_e_sqlite3).Assembly, null, out var library)) return null;
        if (!NativeLibrary.TryGetExport(library, "sqlite3_system_errno", out var export)) return null;
        var systemErrno = Marshal.GetDelegateForFunctionPointer<SystemErrnoFunction>(export);
        return systemErrno(connection.DangerousGetHandle());
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int SystemErrnoFunction(IntPtr connection);

    private const uint LoadWithAlteredSearchPath = 0x00000008;

    [DllImport("kernel32", CharSet = CharSet.Unicode, SetLastError = true)]
    private static extern IntPtr LoadLibraryExW(string fileName, IntPtr reserved, uint flags);
}
