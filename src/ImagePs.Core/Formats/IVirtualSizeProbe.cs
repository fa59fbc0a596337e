using System.Threading;

namespace ImagePs;

/// <summary>Finds the virtual size of stored image data (qemu-img today; a native inspector later).</summary>
public interface IVirtualSizeProbe
{
    VirtualSizeResult Probe(string path, string diskFormat, CancellationToken cancellationToken);
}

/// <summary>A virtual size, or why there is none (shown to the user as a warning, never a failure).</summary>
public sealed class VirtualSizeResult
{
    private VirtualSizeResult(long? virtualSize, string? problem)
    {
        VirtualSize = virtualSize;
        Problem = problem;
    }

    public long? VirtualSize { get; }
    public string? Problem { get; }

    public static VirtualSizeResult Of(long virtualSize) => new(virtualSize, null);

    public static VirtualSizeResult Unknown(string problem) => new(null, problem);
}
