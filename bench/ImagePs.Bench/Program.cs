using System.Diagnostics;
using ImagePs;
using ImagePs.Store;

// Usage: ImagePs.Bench store <source-file> <store-folder> [runs]
// Times FileSystemImageStore.Add (read once, write, MD5 + SHA-512) on the file and prints one JSON
// line per run: seconds, MB/s, and the process's peak resident memory growth during the call.
if (args.Length < 3 || args[0] != "store")
{
    Console.Error.WriteLine("usage: ImagePs.Bench store <source-file> <store-folder> [runs]");
    return 2;
}

var source = args[1];
var folder = args[2];
var runs = args.Length > 3 ? int.Parse(args[3]) : 3;
Directory.CreateDirectory(folder);
var store = new FileSystemImageStore(folder);
var length = new FileInfo(source).Length;

for (var run = 0; run < runs; run++)
{
    var id = Guid.NewGuid();
    var before = PeakMemory.Reset();
    var watch = Stopwatch.StartNew();
    StoredData stored;
    using (var data = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
        stored = store.Add(id, data, new StoreAddOptions { ExpectedSize = length }, CancellationToken.None);
    watch.Stop();
    var growth = PeakMemory.Peak() - before;
    store.Delete(stored.Location);
    Console.WriteLine($"{{\"seconds\": {watch.Elapsed.TotalSeconds:F3}, \"mbps\": {length / 1e6 / watch.Elapsed.TotalSeconds:F1}, \"peakGrowthMiB\": {growth / 1048576.0:F1}, \"md5\": \"{stored.Md5}\"}}");
}
return 0;

/// <summary>Peak resident memory on Linux (VmHWM), reset through /proc/self/clear_refs.</summary>
static class PeakMemory
{
    public static long Reset()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); } catch (IOException) { }
        return Read("VmRSS:");
    }

    public static long Peak() => Read("VmHWM:");

    private static long Read(string field)
    {
        if (!File.Exists("/proc/self/status")) return 0;
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
}
