namespace ImagePs;

/// <summary>
/// Why Test-Image passed or failed an image. When several checks fail, the first in this order is
/// reported: NoData; DataMissing or ReadFailed (the data must be there and readable); SizeMismatch,
/// ChecksumMismatch, OsHashValueMismatch (it must be the bytes that were uploaded); Unsafe, then
/// DiskFormatMismatch (today's content rules, applied to those bytes). The values' numbers are not
/// that order.
/// </summary>
public enum ImageVerificationReason
{
    /// <summary>Size, MD5 and os_hash match the catalog and the content passes today's rules.</summary>
    Intact,

    /// <summary>The catalog says the image has data, but the store has none at its location.</summary>
    DataMissing,

    /// <summary>The stored data is longer or shorter than the catalog's size.</summary>
    SizeMismatch,

    /// <summary>The stored data's MD5 is not the catalog's checksum.</summary>
    ChecksumMismatch,

    /// <summary>The stored data's os_hash_value (SHA-512) is not the catalog's.</summary>
    OsHashValueMismatch,

    /// <summary>The content fails today's safety rules (a backing file, a parent disk, two formats at once, ...).</summary>
    Unsafe,

    /// <summary>The content is not the disk format the image declares (RequireDiskFormatMatch).</summary>
    DiskFormatMismatch,

    /// <summary>The store could not be read (unreachable, access denied, an I/O error): nothing is known about the data.</summary>
    ReadFailed,

    /// <summary>The image has no data to verify: its status is neither Active nor Deactivated.</summary>
    NoData,
}
