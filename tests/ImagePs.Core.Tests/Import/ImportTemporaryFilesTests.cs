using System.Diagnostics;
using ImagePs.Import;
using ImagePs.Settings;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Import;

/// <summary>Temporary files in import-temp: exclusive, owner-only, deleted on Dispose, swept after a crash only.</summary>
public class ImportTemporaryFilesTests : IDisposable
{
    private readonly TestFolder _folder = new();
    private readonly List<Process> _children = new();

    public void Dispose()
    {
        foreach (var child in _children)
        {
            try
            {
                if (!child.HasExited) child.Kill(entireProcessTree: true);
                child.WaitForExit();
            }
            catch (InvalidOperationException)
            {
            }
            child.Dispose();
        }
        _folder.Dispose();
    }

    private ImportTemporaryFiles Files() => ImportTemporaryFiles.For(new RepositoryFolder(_folder.File("repo")));

    private string[] Left(ImportTemporaryFiles files) =>
        Directory.Exists(files.FolderPath) ? Directory.GetFiles(files.FolderPath).Select(p => Path.GetFileName(p)).Order().ToArray() : Array.Empty<string>();

    [Fact]
    public void A_temporary_file_lives_in_an_owner_only_import_temp_folder_and_goes_on_dispose()
    {
        var files = Files();
        string path;
        using (var file = files.Create("qcow2"))
        {
            path = file.Path;
            Assert.Equal(Path.Combine(_folder.File("repo"), "import-temp"), Path.GetDirectoryName(path));
            Assert.EndsWith(".qcow2", path);
            using (var stream = file.OpenWrite()) stream.Write(new byte[] { 1, 2, 3 });
            Assert.Equal(3, new FileInfo(path).Length);
            Assert.Equal(2, Left(files).Length); // the file and its lock file
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(files.FolderPath));
            Assert.Equal(0, files.SweepStale()); // in use by this process
            Assert.True(File.Exists(path));
        }
        Assert.False(File.Exists(path));
        Assert.Empty(Left(files));
    }

    [Fact]
    public void Dispose_twice_or_after_the_file_was_removed_does_not_throw()
    {
        var file = Files().Create(".download");
        File.Delete(file.Path);
        file.Dispose();
        file.Dispose();
        Assert.Empty(Left(Files()));
    }

    [Fact]
    public void OpenWrite_refuses_a_link_planted_in_place_of_the_file()
    {
        if (OperatingSystem.IsWindows()) return; // symbolic links need a privilege there
        var victim = _folder.RandomFile("victim", 100);
        using var file = Files().Create("raw");
        File.Delete(file.Path);
        File.CreateSymbolicLink(file.Path, victim);

        var error = Assert.ThrowsAny<ImagePsException>(() => file.OpenWrite());

        Assert.Equal("UnsafeRepositoryFile", error.ErrorId);
        Assert.Equal(100, new FileInfo(victim).Length);
    }

    [Fact]
    public void A_link_in_place_of_import_temp_is_refused()
    {
        if (OperatingSystem.IsWindows()) return;
        Directory.CreateDirectory(_folder.File("repo"));
        Directory.CreateDirectory(_folder.File("elsewhere"));
        Directory.CreateSymbolicLink(Path.Combine(_folder.File("repo"), "import-temp"), _folder.File("elsewhere"));

        var error = Assert.ThrowsAny<ImagePsException>(() => Files().Create("raw"));

        Assert.Equal("UnsafeRepositoryFile", error.ErrorId);
        Assert.Empty(Directory.GetFiles(_folder.File("elsewhere")));
    }

    [Fact]
    public void A_file_in_place_of_import_temp_is_ImportTemporaryFileFailed()
    {
        Directory.CreateDirectory(_folder.File("repo"));
        File.WriteAllText(Path.Combine(_folder.File("repo"), "import-temp"), "in the way");

        var error = Assert.ThrowsAny<ImagePsException>(() => Files().Create("raw"));

        Assert.Equal("ImportTemporaryFileFailed", error.ErrorId);
        Assert.Equal(ErrorKind.WriteError, error.Kind);
        Assert.Contains("import-temp", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("lock")]
    [InlineData("../x")]
    [InlineData("a/b")]
    public void Extensions_are_letters_and_digits_only(string extension)
    {
        Assert.Throws<ArgumentException>(() => Files().Create(extension));
    }

    [Fact]
    public void SweepStale_deletes_the_files_of_a_process_that_died_and_keeps_those_another_live_process_holds()
    {
        if (OperatingSystem.IsWindows()) return; // the other processes are flock(1)
        var files = Files();
        using (files.Create("raw")) { } // makes the folder
        var dead = Leave(files, "qcow2");
        var live = Leave(files, "download");
        var deadHolder = Hold(dead.Lock);
        var liveHolder = Hold(live.Lock);
        deadHolder.Kill(entireProcessTree: true);
        deadHolder.WaitForExit();
        foreach (var path in new[] { dead.Data, dead.Lock, live.Data, live.Lock }) File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(-1));

        var swept = files.SweepStale();

        Assert.Equal(1, swept);
        Assert.False(File.Exists(dead.Data));
        Assert.False(File.Exists(dead.Lock));
        Assert.True(File.Exists(live.Data));
        Assert.True(File.Exists(live.Lock));
        Assert.False(liveHolder.HasExited);

        liveHolder.Kill(entireProcessTree: true);
        liveHolder.WaitForExit();
        Assert.Equal(1, files.SweepStale());
        Assert.Empty(Left(files));
    }

    [Fact]
    public void SweepStale_keeps_an_unlocked_file_that_changed_recently_and_removes_orphans_and_lone_lock_files()
    {
        var files = Files();
        using (files.Create("raw")) { }
        var recent = Leave(files, "raw");
        var orphan = Leave(files, "vhdx");
        File.Delete(orphan.Lock);
        File.SetLastWriteTimeUtc(orphan.Data, DateTime.UtcNow.AddHours(-1));
        var lone = Leave(files, "vdi");
        File.Delete(lone.Data);
        File.SetLastWriteTimeUtc(lone.Lock, DateTime.UtcNow.AddHours(-1));
        var foreign = Path.Combine(files.FolderPath, "notes.txt");
        File.WriteAllText(foreign, "not ours");
        File.SetLastWriteTimeUtc(foreign, DateTime.UtcNow.AddHours(-1));

        Assert.Equal(1, files.SweepStale());

        Assert.True(File.Exists(recent.Data));
        Assert.False(File.Exists(orphan.Data));
        Assert.False(File.Exists(lone.Lock));
        Assert.True(File.Exists(foreign));
    }

    /// <summary>What a process that crashed leaves: a temporary file and its lock file, no lock held.</summary>
    private static (string Data, string Lock) Leave(ImportTemporaryFiles files, string extension)
    {
        var stem = Guid.NewGuid().ToString("N");
        var data = Path.Combine(files.FolderPath, stem + "." + extension);
        var lockPath = Path.Combine(files.FolderPath, stem + ".lock");
        File.WriteAllText(lockPath, "");
        File.WriteAllBytes(data, new byte[4096]);
        return (data, lockPath);
    }

    /// <summary>Another process (flock(1)) holding the exclusive lock, as a live import elsewhere does.</summary>
    private Process Hold(string lockPath)
    {
        var start = new ProcessStartInfo("flock") { RedirectStandardOutput = true };
        foreach (var arg in new[] { "-x", "-n", "--no-fork", lockPath, "-c", "echo held; exec sleep 120" }) start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        _children.Add(process);
        Assert.Equal("held", process.StandardOutput.ReadLine());
        return process;
    }
}
