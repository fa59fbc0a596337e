namespace ImagePs.Store;

/// <summary>Where the copier puts the bytes: a store file (buffered or direct I/O), or nothing.</summary>
internal interface IChunkWriter
{
    void Write(DataChunk chunk);

    /// <summary>Makes everything written durable.</summary>
    void Flush();
}
