using System;

namespace ImagePs.Catalog;

/// <summary>How many bytes an owner's images hold in the store, for the storage quota.</summary>
internal interface IStorageUsage
{
    /// <summary>Sum of the sizes of the owner's images with stored data, leaving one image out.</summary>
    long StorageUsedBy(string? owner, Guid excluding);
}
