using System;

namespace ImagePs.Import;

/// <summary>What <see cref="ImageConverter.Convert"/> made: the converted file (deleted on Dispose) and where it came from.</summary>
internal sealed class ConvertedImage : IDisposable
{

    private readonly TemporaryFile _file;

    internal ConvertedImage(TemporaryFile file, string sourceFormat, string sourceSha512, string targetFormat, long virtualSize)
    {
        _file = file;
        SourceFormat = sourceFormat;
        SourceSha512 = sourceSha512;
        TargetFormat = targetFormat;
        VirtualSize = virtualSize;
    }

    /// <summary>The converted file, in import-temp.</summary>
    public string Path => _file.Path;

    /// <summary>The original's disk format as the native inspector detected it (a partitioned disk is raw).</summary>
    public string SourceFormat { get; }

    /// <summary>SHA-512 of the original file, lower-case hex.</summary>
    public string SourceSha512 { get; }

    /// <summary>The disk format of the converted file (a Glance name: vhd, not qemu's vpc).</summary>
    public string TargetFormat { get; }

    /// <summary>The converted disk's virtual size, as the native inspector reads it.</summary>
    public long VirtualSize { get; }

    /// <summary>The value of imageps_converted_from, e.g. <c>vhdx:sha512:9b71d2...</c>.</summary>
    public string RecordedFrom => SourceFormat + ":sha512:" + SourceSha512;

    /// <summary>The converted file, for reading (never through a link).</summary>
    public System.IO.FileStream OpenRead() => _file.OpenRead();

    public void Dispose() => _file.Dispose();
}
