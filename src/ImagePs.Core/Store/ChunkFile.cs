using System;
using System.IO;

namespace ImagePs.Store;

/// <summary>
/// Creates a new file for the copier to write: direct I/O where the platform and filesystem allow
/// it, an ordinary file otherwise. The file must not exist yet.
/// </summary>
internal sealed class ChunkFile : IChunkWriter, IDisposable
{
    private readonly IChunkWriter _writer;
    private readonly IDisposable _handle;

    private ChunkFile(IChunkWriter writer, IDisposable handle)
    {
        _writer = writer;
        _handle = handle;
    }

    /// <summary>Creates the file, readable by its owner only, or (<paramref name="ownerOnly"/> false) as the umask allows.</summary>
    public static ChunkFile Create(string path, bool ownerOnly = true)
    {
        var direct = DirectFileChunkWriter.TryCreate(path, ownerOnly);
        if (direct is not null) return new ChunkFile(direct, direct);
        var file = Settings.RepositoryFile.Open(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1);
        return new ChunkFile(new FileChunkWriter(file), file);
    }

    public void Write(DataChunk chunk) => _writer.Write(chunk);

    public void Flush() => _writer.Flush();

    public void Dispose() => _handle.Dispose();
}
