namespace ImagePs.Formats;

/// <summary>
/// Where an upload's virtual size comes from (setting <c>VirtualSizeProbe</c>): <c>native</c> (the
/// inspector alone), <c>qemu-img</c> (qemu-img's answer, as the original design; the native safety
/// checks still run first) or <c>both</c> (the inspector's answer, cross-checked with qemu-img's).
/// </summary>
internal enum VirtualSizeProbeMode
{
    Native,
    QemuImg,
    Both,
}
