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

    /// <summary>The hash of the bytes an import fetched (before decompression or conversion), as <c>sha256:&lt;hex&gt;</c>.</summary>
    public const string SourceHash = "imageps_source_hash";

    /// <summary>Where an import took the data from: a full path or a URL without userinfo.</summary>
    public const string ImportSource = "imageps_import_source";

    /// <summary>Why the last import of the image failed: "&lt;ErrorId&gt;: &lt;message&gt;".</summary>
    public const string ImportError = "imageps_import_error";

    /// <summary>The disk format an import converts to (Import-Image -ConvertTo), kept so that a retry converts too.</summary>
    public const string ImportConvertTo = "imageps_import_convert_to";

    /// <summary>What an import converted the image from: the original's format and SHA-512.</summary>
    public const string ConvertedFrom = "imageps_converted_from";

    public static bool IsSystem(string key) => key.StartsWith(Prefix, StringComparison.Ordinal);
}
