using System.Diagnostics;
using ImagePs;
using ImagePs.Domain;
using ImagePs.Settings;
using ImagePs.Store;

// Usage: ImagePs.Bench store <source-file> <store-folder> [runs]
//   Times FileSystemImageStore.Add (read once, write, MD5 + SHA-512) on the file and prints one JSON
//   line per run: seconds, MB/s, and the process's peak resident memory growth during the call.
// Usage: ImagePs.Bench inspect <native-calls> <qemu-calls> <prlimit-path-or-""> (<file> <driver>)...
//   Times the native inspector against qemu-img info on each file (bench/Inspect.ps1).
// Usage: ImagePs.Bench fill <repository-folder> <first-number> <count>
//   Creates images img<first-number>... through the core service (every layer, events included),
//   with tags, properties and statuses spread for bench/Catalog.ps1; prints records/s as JSON.
if (args.Length >= 6 && args[0] == "inspect") return InspectTiming.Run(args);
if (args.Length == 4 && args[0] == "fill") return CatalogFill.Run(args[1], int.Parse(args[2]), int.Parse(args[3]));
if (args.Length < 3 || args[0] != "store")
{
    Console.Error.WriteLine("usage: ImagePs.Bench store <source-file> <store-folder> [runs] | fill <repository-folder> <first-number> <count> | inspect <native-calls> <qemu-calls> <prlimit> (<file> <driver>)...");
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

/// <summary>
/// Fills a catalog for the listing benchmark: every image has a batch tag (100 batches) and an
/// os_distro property (10 values); one in 1000 is tagged "rare"; one in 100 is an ova container;
/// one in 20 is made Active with a size (1-97 MiB), a virtual size, an MD5 and a SHA-512.
/// </summary>
static class CatalogFill
{
    private static readonly string[] Distros = { "debian", "ubuntu", "alpine", "fedora", "rocky", "arch", "suse", "centos", "gentoo", "nixos" };

    public static int Run(string folder, int first, int count)
    {
        var service = ImageService.Open(folder: new RepositoryFolder(folder));
        var catalog = service.Backend.Catalog;
        var watch = Stopwatch.StartNew();
        for (var i = first; i < first + count; i++)
        {
            var draft = new ImageDraft { Name = $"img{i}", DiskFormat = "raw", ContainerFormat = i % 100 == 1 ? "ova" : "bare" };
            draft.Tags.Add($"batch-{i % 100}");
            if (i % 1000 == 0) draft.Tags.Add("rare");
            draft.Properties["os_distro"] = Distros[i % Distros.Length];
            var image = service.CreateImage(draft);
            if (i % 20 != 0) continue;
            image = catalog.Get(image.Id);
            image.SetStatus(ImageStatus.Active);
            // What an upload records, so the size, checksum and hash filters meet real values.
            var bytes = System.Text.Encoding.UTF8.GetBytes(image.Id.ToString());
            var size = (long)(i % 97 + 1) << 20;
            image.SetData(size, Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(bytes)), "sha512",
                Convert.ToHexStringLower(System.Security.Cryptography.SHA512.HashData(bytes)), new ImageLocation($"file:///bench/{image.Id}"));
            image.SetVirtualSize(size * 4);
            catalog.Save(image, ImageStatus.Queued);
        }
        watch.Stop();
        Console.WriteLine($"{{\"created\": {count}, \"seconds\": {watch.Elapsed.TotalSeconds:F2}, \"perSecond\": {count / watch.Elapsed.TotalSeconds:F0}}}");
        return 0;
    }
}

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
