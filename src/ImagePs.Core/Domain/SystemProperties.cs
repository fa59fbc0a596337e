using System;

namespace ImagePs.Domain;

/// <summary>
/// Extra properties ImagePs records itself, under the <c>imageps_</c> prefix (as Glance keeps
/// <c>os_glance_</c> for its own): callers can read them but never set, change or remove them, and
/// property protections do not apply to them.
/// </summary>
internal static class SystemProperties
{
    public const string Prefix = "imageps_";

    /// <summary>qemu-img's virtual size, recorded when it differs from the native inspector's.</summary>
    public const string QemuVirtualSize = "imageps_virtual_size_qemu";

    public static bool IsSystem(string key) => key.StartsWith(Prefix, StringComparison.Ordinal);
}
