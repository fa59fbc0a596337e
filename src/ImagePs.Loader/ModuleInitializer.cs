using System;
using System.Linq;
using System.Management.Automation;
using System.Reflection;

namespace ImagePs.Loader;

/// <summary>
/// Runs when the module is imported, before the cmdlets (ImagePs.Loader is the manifest's nested
/// module, and PowerShell needs the engine's types as soon as it reads the cmdlets' parameters):
/// routes ImagePs.Core to its own load context (see <see cref="EngineLoadContext"/>) and makes its
/// public types usable by name in scripts
/// (<c>[ImagePs.Image]</c>, <c>[ImagePs.ImageStatus]::Active</c>): PowerShell resolves type names only
/// in its default context, so each is registered as a type accelerator, and removed with the module.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static readonly Type? Accelerators =
        typeof(PSObject).Assembly.GetType("System.Management.Automation.TypeAccelerators");

    public void OnImport()
    {
        EngineLoadContext.Register();
        foreach (var type in PublicTypes()) Accelerate("Add", type.FullName!, type);
    }

    public void OnRemove(PSModuleInfo module)
    {
        foreach (var type in PublicTypes()) Accelerate("Remove", type.FullName!);
        EngineLoadContext.Unregister();
    }

    /// <summary>The engine's public API: the exported types of namespace ImagePs.</summary>
    private static Type[] PublicTypes() =>
        EngineLoadContext.Engine.GetExportedTypes().Where(t => t.Namespace == "ImagePs" && !t.IsNested).ToArray();

    private static void Accelerate(string method, params object[] arguments)
    {
        var types = arguments.Select(a => a.GetType() == typeof(string) ? typeof(string) : typeof(Type)).ToArray();
        Accelerators?.GetMethod(method, BindingFlags.Public | BindingFlags.Static, null, types, null)?.Invoke(null, arguments);
    }
}
