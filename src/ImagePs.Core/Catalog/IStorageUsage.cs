using System;

namespace ImagePs;

/// <summary>How many bytes an owner's images hold in the store, for the storage quota.</summary>
public interface IStorageUsage
{
    /// <summary>Sum of the sizes of the owner's images with stored data, leaving one image out.</summary>
    long StorageUsedBy(string? owner, Guid excluding);
}
