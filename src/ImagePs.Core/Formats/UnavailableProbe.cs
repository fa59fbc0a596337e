using System.Threading;

namespace ImagePs.Formats;

/// <summary>
/// The virtual-size probe of a store qemu-img cannot read (S3): never available, so the virtual size
/// comes from the native inspector alone, and each upload says why on the verbose stream.
/// </summary>
internal sealed class UnavailableProbe : IVirtualSizeProbe
{
    public UnavailableProbe(string reason) => Reason = reason;

    public string Reason { get; }

    public bool IsAvailable => false;

    public VirtualSizeResult Probe(string path, string format, CancellationToken cancellationToken) => VirtualSizeResult.Unknown(Reason);
}
