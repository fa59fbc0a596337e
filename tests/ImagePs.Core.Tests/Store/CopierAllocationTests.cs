using ImagePs.Store;
using Xunit;

namespace ImagePs.Tests.Store;

/// <summary>Runs alone: it measures the process's allocations.</summary>
[Collection(nameof(AllocationCollection))]
public class CopierAllocationTests
{
    [Fact]
    public void Memory_does_not_grow_with_the_size_of_the_data()
    {
        var block = new byte[1 << 20];
        new Random(1).NextBytes(block);
        long Allocated(int mebibytes)
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            using var data = new SinglePassCopierTests.RepeatingStream(block, mebibytes);
            SinglePassCopier.Copy(Guid.NewGuid(), data, null, null, "repeat", null, null, CancellationToken.None);
            return GC.GetTotalAllocatedBytes(precise: true) - before;
        }

        Allocated(8); // first use fills the buffer pool and compiles the code
        var small = Allocated(16);
        var large = Allocated(512);

        // The count is process-wide (runtime and test-runner threads too), so the bounds leave room for
        // them; a buffer per chunk would be 4 MiB each, 512 MiB in all.
        Assert.True(large < 4 << 20, $"512 MiB allocated {large} bytes");
        Assert.True(large - small < 2 << 20, $"16 MiB: {small} bytes, 512 MiB: {large} bytes");
    }
}
