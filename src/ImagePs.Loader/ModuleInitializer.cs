using System;
using System.Linq;
using System.Management.Automation;
using System.Reflection;

namespace ImagePs.Loader;

/// <summary>
/// Runs when the module is imported, before the cmdlets (ImagePs.Loader is the manifest's nested
/// module, and PowerShell needs the engine's types as soon as it reads the cmdlets' parameters):
/// routes ImagePs.Core to its own load context (see <see cref="EngineLoadContext"/>) and makes the
/// types of <see cref="ScriptTypes"/> usable by name in scripts. Type accelerators and the load
/// context's hook are process-wide while imports are per runspace (ForEach-Object -Parallel, runspace
/// pools, Start-ThreadJob each import the module again): they are set up by the first import and
/// removed when the last importing runspace removes the module.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static readonly Type? Accelerators =
        typeof(PSObject).Assembly.GetType("System.Management.Automation.TypeAccelerators");

    private static readonly object Gate = new();
    private static int _imports;

    public void OnImport()
    {
        lock (Gate)
        {
            if (_imports++ > 0) return;
            EngineLoadContext.Register();
            foreach (var type in Types()) Accelerate("Add", type.FullName!, type);
        }
    }

    public void OnRemove(PSModuleInfo module)
    {
        lock (Gate)
        {
            if (_imports == 0 || --_imports > 0) return;
            foreach (var type in Types()) Accelerate("Remove", type.FullName!);
            EngineLoadContext.Unregister();
        }
    }

    /// <summary>The listed types, each of which must exist and be public: a missing one is a build mistake.</summary>
    private static Type[] Types() =>
        ScriptTypes.Names.Select(name => EngineLoadContext.Engine.GetType(name, throwOnError: true)!).ToArray();

    private static void Accelerate(string method, params object[] arguments)
    {
        var types = arguments.Select(a => a.GetType() == typeof(string) ? typeof(string) : typeof(Type)).ToArray();
        Accelerators?.GetMethod(method, BindingFlags.Public | BindingFlags.Static, null, types, null)?.Invoke(null, arguments);
    }
}
