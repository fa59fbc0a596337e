using System;
using System.IO;
using System.IO.Compression;
using System.Reflection;

namespace ImagePs.Import;

/// <summary>
/// .NET's GZipStream (native zlib, every member of a multi-member file) that also fails on data cut
/// short: GZipStream itself just ends there. Where the data ends, its inflater must have finished a
/// member; that state is private, so it is read by reflection, and <see cref="Available"/> says
/// whether this runtime has it (Decompression uses another gzip decoder where it has not).
/// </summary>
internal sealed class WholeGZipStream : ReadOnlyForwardStream
{
    private static readonly FieldInfo? DeflateField = typeof(GZipStream).GetField("_deflateStream", BindingFlags.NonPublic | BindingFlags.Instance);
    private static readonly FieldInfo? InflaterField = typeof(DeflateStream).GetField("_inflater", BindingFlags.NonPublic | BindingFlags.Instance);
    private static readonly MethodInfo? FinishedMethod = InflaterField?.FieldType.GetMethod("Finished", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance, Type.EmptyTypes);

    private readonly GZipStream _gzip;

    public WholeGZipStream(Stream data) => _gzip = new GZipStream(data, CompressionMode.Decompress);

    public static bool Available => DeflateField is not null && InflaterField is not null && FinishedMethod?.ReturnType == typeof(bool);

    public override int Read(Span<byte> buffer)
    {
        var n = _gzip.Read(buffer);
        if (n == 0 && buffer.Length > 0 && !Finished()) throw new InvalidDataException(Messages.GzipCutShort);
        return n;
    }

    private bool Finished()
    {
        var deflate = DeflateField!.GetValue(_gzip);
        var inflater = deflate is null ? null : InflaterField!.GetValue(deflate);
        return inflater is not null && (bool)FinishedMethod!.Invoke(inflater, null)!;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _gzip.Dispose();
        base.Dispose(disposing);
    }
}
