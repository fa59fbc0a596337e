using System;
using System.Collections.Generic;
using System.Linq;

namespace ImagePs.Domain;

/// <summary>The disk and container formats Glance accepts (glance/common/config.py defaults).</summary>
internal static class ImageFormats
{
    public static IReadOnlyList<string> DiskFormats { get; } =
        new[] { "ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop" };

    public static IReadOnlyList<string> ContainerFormats { get; } =
        new[] { "ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed" };

    /// <summary>The canonical (lower-case) disk format, or null when <paramref name="value"/> is not one.</summary>
    public static string? CanonicalDiskFormat(string value) => Canonical(DiskFormats, value);

    /// <summary>The canonical (lower-case) container format, or null when <paramref name="value"/> is not one.</summary>
    public static string? CanonicalContainerFormat(string value) => Canonical(ContainerFormats, value);

    private static string? Canonical(IReadOnlyList<string> list, string value) =>
        list.FirstOrDefault(f => string.Equals(f, value, StringComparison.OrdinalIgnoreCase));
}
