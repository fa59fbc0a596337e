using System;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace ImagePs.Loader;

/// <summary>
/// The load context ImagePs.Core and its dependencies (Microsoft.Data.Sqlite, SQLitePCLRaw, CliWrap,
/// ...) live in, from module/bin/core. Another module in the same session may load other versions of
/// the same libraries into PowerShell's default context; neither sees the other's. Framework
/// assemblies (System.*) are shared with the default context, so the objects PowerShell handles are
/// of the framework's own types.
/// </summary>
internal sealed class EngineLoadContext : AssemblyLoadContext
{
    private const string EngineAssembly = "ImagePs.Core";
    private static readonly Lazy<EngineLoadContext> Instance = new(() => new EngineLoadContext());

    private EngineLoadContext()
        : base(EngineAssembly, isCollectible: false)
    {
    }

    /// <summary>module/bin/core, beside this assembly.</summary>
    public static string Folder { get; } = Path.Combine(Path.GetDirectoryName(typeof(EngineLoadContext).Assembly.Location)!, "core");

    /// <summary>The engine assembly, loaded here on first use.</summary>
    public static Assembly Engine => Instance.Value.LoadFromAssemblyPath(Path.Combine(Folder, EngineAssembly + ".dll"));

    private static readonly object Gate = new();
    private static bool _registered;

    /// <summary>
    /// Lets the default context find ImagePs.Core (which the cmdlets reference) here. Once per
    /// process, however many runspaces import the module (ForEach-Object -Parallel does).
    /// </summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (_registered) return;
            Default.Resolving += ResolveEngine;
            _registered = true;
        }
    }

    public static void Unregister()
    {
        lock (Gate)
        {
            Default.Resolving -= ResolveEngine;
            _registered = false;
        }
    }

    private static Assembly? ResolveEngine(AssemblyLoadContext context, AssemblyName name) =>
        name.Name == EngineAssembly ? Engine : null;

    protected override Assembly? Load(AssemblyName name)
    {
        if (IsPlatformAssembly(name.Name)) return null;
        var path = Path.Combine(Folder, name.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    /// <summary>
    /// The runtime's and PowerShell's own assemblies (the trusted platform assemblies) are shared with
    /// the default context, so the objects PowerShell handles are of the framework's own types; the
    /// netstandard shims in core are not used. Everything else, framework-named packages the runtime
    /// does not carry included (Microsoft.Bcl.HashCode, which Npgsql's netstandard2.0 build references),
    /// loads from core, whatever another module has put in the default context.
    /// </summary>
    private static bool IsPlatformAssembly(string? name) => name is null || PlatformAssemblies.Value.Contains(name);

    private static readonly Lazy<System.Collections.Generic.HashSet<string>> PlatformAssemblies = new(() =>
    {
        var names = new System.Collections.Generic.HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var list = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "";
        foreach (var path in list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)) names.Add(Path.GetFileNameWithoutExtension(path));
        return names;
    });
}
