using System;
using System.IO;

namespace ImagePs.Import;

/// <summary>The name an imported image gets when none is given: its file's, without the extensions that describe the file.</summary>
internal static class ImportNames
{
    private static readonly string[] CompressionExtensions = { ".gz", ".xz", ".zst", ".zstd", ".bz2", ".zip" };

    /// <summary><c>debian-12-genericcloud-amd64.qcow2.xz</c> → <c>debian-12-genericcloud-amd64</c>; a name without a file name is null.</summary>
    public static string? ImageNameFor(string fileName)
    {
        if (string.IsNullOrEmpty(fileName)) return null;
        var name = fileName;
        foreach (var extension in CompressionExtensions)
        {
            if (name.EndsWith(extension, StringComparison.OrdinalIgnoreCase) && name.Length > extension.Length)
            {
                name = name.Substring(0, name.Length - extension.Length);
                break;
            }
        }
        var stem = Path.GetFileNameWithoutExtension(name);
        return stem.Length > 0 ? stem : name;
    }
}
