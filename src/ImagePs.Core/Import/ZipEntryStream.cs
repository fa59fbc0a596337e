using System;
using System.IO;
using ImagePs.Errors;
using SharpCompress.Providers;
using SharpCompress.Readers;
using SharpCompress.Readers.Zip;

namespace ImagePs.Import;

/// <summary>
/// The one file of a zip, read forward from its local headers (SharpCompress's streaming reader, so
/// the archive is never held whole). Glance takes a zip only when it holds exactly one file: a
/// second file is found when the first one's data has been read, and the read that would end the
/// stream fails with ImportZipEntryCount instead, so nothing is stored.
/// </summary>
internal sealed class ZipEntryStream : ReadOnlyForwardStream
{
    private readonly IReader _reader;
    private readonly Stream _entry;
    private readonly string _source;
    private readonly SharpCompress.Compressors.Deflate.CRC32 _crc = new();
    private bool _ended;

    private ZipEntryStream(IReader reader, Stream entry, string source)
    {
        _reader = reader;
        _entry = entry;
        _source = source;
    }

    public static ZipEntryStream Open(Stream archive, string source)
    {
        var reader = ZipReader.OpenReader(archive, new ReaderOptions { LeaveStreamOpen = true, Providers = CompressionProviderRegistry.Default.With(new ZipDeflateProvider()) });
        while (reader.MoveToNextEntry())
        {
            if (!reader.Entry.IsDirectory) return new ZipEntryStream(reader, reader.OpenEntryStream(), source);
        }
        reader.Dispose();
        throw ImageErrors.ImportZipEntryCount(source, 0);
    }

    public override int Read(Span<byte> buffer)
    {
        if (_ended) return 0;
        var n = _entry.Read(buffer);
        if (n > 0)
        {
            Checksum(buffer.Slice(0, n));
            return n;
        }
        if (buffer.Length == 0) return 0;
        var entry = _reader.Entry;
        _entry.Dispose();
        var files = 1;
        while (_reader.MoveToNextEntry())
        {
            if (!_reader.Entry.IsDirectory) files++;
        }
        // The streaming reader does not check the entry's CRC-32 itself. It is known by now: from the
        // local header, or from the data descriptor after the data (read when the reader moved on).
        var recorded = (uint)entry.Crc;
        var computed = (uint)_crc.Crc32Result;
        if (recorded != computed)
            throw new InvalidDataException(string.Format(Messages.ZipCrcMismatch, ImagePs.Errors.ImageErrors.Shorten(entry.Key ?? ""), computed, recorded));
        if (files != 1) throw ImageErrors.ImportZipEntryCount(_source, files);
        _ended = true;
        return 0;
    }

    private void Checksum(ReadOnlySpan<byte> data)
    {
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(data.Length);
        data.CopyTo(chunk);
        _crc.SlurpBlock(chunk, 0, data.Length);
        System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _entry.Dispose();
            _reader.Dispose();
        }
        base.Dispose(disposing);
    }
}
