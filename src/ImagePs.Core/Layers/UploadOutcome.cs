namespace ImagePs.Layers;

/// <summary>
/// What an upload step found beyond what it records on the image (size, hashes, virtual size):
/// where the virtual size came from, for the report Send-ImageData -Verbose writes.
/// </summary>
internal sealed class UploadOutcome
{
    public UploadOutcome(string virtualSizeOrigin) => VirtualSizeOrigin = virtualSizeOrigin;

    /// <summary>A phrase for people: which inspector gave the virtual size, and whether qemu-img agreed, or why it did not run.</summary>
    public string VirtualSizeOrigin { get; }
}
