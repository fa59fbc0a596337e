using System.Collections.Generic;

namespace ImagePs.Store;

/// <summary>What a store reports after adding data: glance_store's (location, size, md5, multihash).</summary>
internal sealed class StoredData
{
    public StoredData(string location, long size, string md5, string hashAlgo, string hashValue, IReadOnlyDictionary<string, byte[]> digests)
    {
        Location = location;
        Size = size;
        Md5 = md5;
        HashAlgo = hashAlgo;
        HashValue = hashValue;
        Digests = digests;
    }

    public string Location { get; }
    public long Size { get; }
    public string Md5 { get; }
    public string HashAlgo { get; }
    public string HashValue { get; }

    /// <summary>Every digest computed, by algorithm name (MD5, SHA512 and the extra ones).</summary>
    public IReadOnlyDictionary<string, byte[]> Digests { get; }
}
