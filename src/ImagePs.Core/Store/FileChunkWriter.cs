using System.IO;

namespace ImagePs.Store;

/// <summary>Writes chunks through an ordinary (page-cached) file stream.</summary>
internal sealed class FileChunkWriter : IChunkWriter
{
    private readonly FileStream _file;

    public FileChunkWriter(FileStream file) => _file = file;

    public void Write(DataChunk chunk) => _file.Write(chunk.Buffer, chunk.Offset, chunk.Count);

    public void Flush() => _file.Flush(flushToDisk: true);
}
