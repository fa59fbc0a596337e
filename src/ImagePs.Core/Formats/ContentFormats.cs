namespace ImagePs.Formats;

/// <summary>
/// The formats the inspector tells apart, named as qemu and Glance's format inspector name them.
/// <c>gpt</c> stands for any disk with a valid MBR or GPT partition table (a GPT disk starts with a
/// protective MBR); <c>gpt</c> and <c>luks</c> are not Glance disk formats.
/// </summary>
internal static class ContentFormats
{
    public const string Raw = "raw";
    public const string Qcow2 = "qcow2";
    public const string Vmdk = "vmdk";
    public const string Vhd = "vhd";
    public const string Vhdx = "vhdx";
    public const string Vdi = "vdi";
    public const string Qed = "qed";
    public const string Iso = "iso";
    public const string Gpt = "gpt";
    public const string Luks = "luks";

    /// <summary>qemu-img's driver for a content format (<c>-f</c>): ISOs and partitioned disks are raw to qemu.</summary>
    public static string QemuDriver(string format) => format switch
    {
        Vhd => "vpc",
        Iso or Gpt => "raw",
        _ => format,
    };
}
