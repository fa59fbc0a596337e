using System;
using ImagePs.Formats;

namespace ImagePs.Import;

/// <summary>Where the system's decompression programs (xz, bzip2) are found: on PATH, or (in tests) nowhere.</summary>
internal sealed class DecompressionTools
{
    private readonly Func<string, string?> _find;

    private DecompressionTools(Func<string, string?> find) => _find = find;

    public static DecompressionTools OnPath { get; } = new(ExecutableSearch.Find);

    /// <summary>No system program: every format is decoded by its managed library.</summary>
    public static DecompressionTools None { get; } = new(_ => null);

    public string? Find(string name) => _find(name);
}
