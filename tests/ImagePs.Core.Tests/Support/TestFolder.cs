namespace ImagePs.Tests.Support;

/// <summary>A fresh temporary folder per test, removed afterwards.</summary>
internal sealed class TestFolder : IDisposable
{
    public TestFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "imageps-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>
    /// Writes <paramref name="length"/> reproducible pseudo-random bytes: plain data, whose first
    /// sector never ends in the MBR signature (data with 0x55AA at byte 510 is a partition table to
    /// the inspector, as to Glance, and random data would have it once in 65536 files).
    /// </summary>
    public string RandomFile(string name, int length, int seed = 1)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        if (length >= 512) data[511] = 0;
        var path = File(name);
        System.IO.File.WriteAllBytes(path, data);
        return path;
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
