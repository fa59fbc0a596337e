using System;
using System.Buffers;
using System.Runtime.InteropServices;

namespace ImagePs.Store;

/// <summary>
/// One slot of the copier's buffer ring: an array from the shared pool, pinned while the copy runs,
/// whose usable region starts at a 4 KiB-aligned address so the same bytes can be hashed and written
/// with direct I/O. The usable region is a multiple of 4 KiB.
/// </summary>
internal sealed class DataChunk : IDisposable
{
    public const int Alignment = 4096;
    private GCHandle _pin;
    private int _pending;

    /// <param name="arrayLength">A power of two, so the pool hands back exactly this size.</param>
    public DataChunk(int arrayLength)
    {
        Buffer = ArrayPool<byte>.Shared.Rent(arrayLength);
        _pin = GCHandle.Alloc(Buffer, GCHandleType.Pinned);
        var address = _pin.AddrOfPinnedObject().ToInt64();
        Offset = (int)((Alignment - address % Alignment) % Alignment);
        Capacity = (arrayLength - Alignment) & ~(Alignment - 1);
    }

    public byte[] Buffer { get; }

    /// <summary>Where the aligned region starts in <see cref="Buffer"/>.</summary>
    public int Offset { get; }

    public int Capacity { get; }

    /// <summary>Bytes of data in the region.</summary>
    public int Count { get; set; }

    public IntPtr Address => _pin.AddrOfPinnedObject() + Offset;

    /// <summary>How many consumers (hashes, the writer) still use the chunk.</summary>
    public void SetConsumers(int count) => _pending = count;

    /// <summary>Marks one consumer done; true when it was the last one.</summary>
    public bool Release() => System.Threading.Interlocked.Decrement(ref _pending) == 0;

    public void Dispose()
    {
        if (!_pin.IsAllocated) return;
        _pin.Free();
        ArrayPool<byte>.Shared.Return(Buffer);
    }
}
