using System;

namespace ImagePs.Import;

/// <summary>
/// The CPU-time and address-space limits qemu-img convert runs under, scaled with the virtual size
/// of the image (the work and the metadata tables grow with it): 60 s plus 30 s per started GiB of
/// CPU time (about 20 times what a conversion without compression needs here), and 2 GiB plus
/// 2 MiB per started GiB of address space (qemu-img's buffers, thread stacks and malloc arenas take
/// a fixed part; the largest tables, vdi and vhd block maps, take 4 MiB per TiB).
/// </summary>
internal readonly record struct ConversionLimits(long CpuSeconds, long AddressSpaceBytes)
{
    public const long BaseCpuSeconds = 60;
    public const long CpuSecondsPerGiB = 30;
    public const long BaseAddressSpaceBytes = 2L << 30;
    public const long AddressSpaceBytesPerGiB = 2L << 20;

    public static ConversionLimits For(long virtualSize)
    {
        var gibibytes = Math.Max(1, (Math.Max(0, virtualSize) + (1L << 30) - 1) >> 30);
        return new ConversionLimits(BaseCpuSeconds + CpuSecondsPerGiB * gibibytes, BaseAddressSpaceBytes + AddressSpaceBytesPerGiB * gibibytes);
    }
}
