using System.Diagnostics;
using ImagePs.Policy;
using ImagePs.PropertyProtection;
using ImagePs.Settings;
using ImagePs.Tests.Support;
using Xunit;

namespace ImagePs.Tests.Settings;

/// <summary>
/// imageps.json, the policy file and the property protections file as something other than a
/// regular file: a FIFO (which used to hang every command), a folder (silently ignored), a link to
/// /dev/zero (out of memory), a file over the size limit. A link to a regular file stays fine.
/// </summary>
public class ConfigurationFileTests
{
    public static TheoryData<string> Readers => new() { "settings", "policy", "protections" };

    private static (string ErrorId, Action<string> Read) Reader(string kind) => kind switch
    {
        "settings" => ("InvalidSettings", path => RepositorySettings.Load(path)),
        "policy" => ("InvalidPolicy", path => PolicyRules.Load(path)),
        _ => ("InvalidPropertyProtections", path => PropertyProtectionRules.Load(path)),
    };

    private static string FileName(string kind) => kind switch
    {
        "settings" => "imageps.json",
        "policy" => "policy.json",
        _ => "property-protections.conf",
    };

    private static ImagePsException Refusal(string kind, string path)
    {
        var (errorId, read) = Reader(kind);
        // Bounded so that a regression (a read that waits for a FIFO writer) fails instead of hanging the run.
        var attempt = Task.Run(() => Assert.Throws<ImagePsException>(() => read(path)));
        Assert.True(attempt.Wait(TimeSpan.FromSeconds(60)), "reading " + path + " did not return");
        var error = attempt.Result;
        Assert.Equal(errorId, error.ErrorId);
        Assert.Contains(path, error.Message);
        return error;
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void A_fifo_is_refused_without_waiting_for_a_writer(string kind)
    {
        if (OperatingSystem.IsWindows()) return; // no FIFOs at file paths
        using var folder = new TestFolder();
        var path = folder.File(FileName(kind));
        using (var mkfifo = Process.Start("mkfifo", new[] { path })) mkfifo.WaitForExit();
        Assert.True(File.Exists(path));

        var error = Refusal(kind, path);
        Assert.Contains("not a regular file", error.Message);
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void A_folder_is_refused_not_ignored(string kind)
    {
        using var folder = new TestFolder();
        var path = folder.File(FileName(kind));
        Directory.CreateDirectory(path);

        var error = Refusal(kind, path);
        Assert.Contains("not a regular file", error.Message);
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void A_link_to_dev_zero_stops_at_the_size_limit(string kind)
    {
        if (!File.Exists("/dev/zero")) return;
        using var folder = new TestFolder();
        var path = folder.File(FileName(kind));
        File.CreateSymbolicLink(path, "/dev/zero");

        var error = Refusal(kind, path);
        Assert.Contains(ImagePs.Settings.ConfigurationFile.MaxBytes.ToString(), error.Message);
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void A_file_over_the_size_limit_is_refused(string kind)
    {
        using var folder = new TestFolder();
        var path = folder.File(FileName(kind));
        File.WriteAllText(path, "{" + new string(' ', ImagePs.Settings.ConfigurationFile.MaxBytes) + "}");

        var error = Refusal(kind, path);
        Assert.Contains(ImagePs.Settings.ConfigurationFile.MaxBytes.ToString(), error.Message);
    }

    [Fact]
    public void A_link_to_a_regular_file_is_read()
    {
        using var folder = new TestFolder();
        var target = folder.File("elsewhere.json");
        File.WriteAllText(target, "{ \"ImageSizeCap\": 4096 }");
        var path = folder.File("imageps.json");
        File.CreateSymbolicLink(path, target);

        Assert.Equal(4096, RepositorySettings.Load(path).ImageSizeCap);
    }
}
