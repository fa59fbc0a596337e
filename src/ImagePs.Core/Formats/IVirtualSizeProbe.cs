using System.Threading;

namespace ImagePs.Formats;

/// <summary>
/// Asks an external tool (qemu-img) for the virtual size of stored image data. It is only ever called
/// after the native inspector found the data safe, with the format the inspector detected.
/// </summary>
internal interface IVirtualSizeProbe
{
    /// <summary>Whether the tool can be run at all (found on PATH or at its configured path).</summary>
    bool IsAvailable { get; }

    /// <summary>
    /// The virtual size of the file at <paramref name="path"/> read as <paramref name="format"/> (a
    /// <see cref="Formats.ContentFormats"/> name).
    /// </summary>
    VirtualSizeResult Probe(string path, string format, CancellationToken cancellationToken);
}

/// <summary>A virtual size, or why there is none (a warning), or why the data is unsafe (a refusal).</summary>
internal sealed class VirtualSizeResult
{
    private VirtualSizeResult(long? virtualSize, string? problem, string? unsafeReason)
    {
        VirtualSize = virtualSize;
        Problem = problem;
        UnsafeReason = unsafeReason;
    }

    public long? VirtualSize { get; }
    public string? Problem { get; }

    /// <summary>Set when the tool's own answer shows the data reads another file (never expected after the native checks).</summary>
    public string? UnsafeReason { get; }

    public static VirtualSizeResult Of(long virtualSize) => new(virtualSize, null, null);

    public static VirtualSizeResult Unknown(string problem) => new(null, problem, null);

    public static VirtualSizeResult Unsafe(string reason) => new(null, null, reason);
}
