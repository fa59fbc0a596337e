namespace ImagePs.Tests.Support;

/// <summary>A real repository (SQLite file, filesystem store) in its own temp folder.</summary>
public sealed class TestRepository : IDisposable
{
    private readonly TestFolder _folder = new();

    /// <param name="files">Files to put in the repository folder before it is opened (policy.yaml, ...).</param>
    public TestRepository(string? settingsJson = null, CallerContext? caller = null, IReadOnlyDictionary<string, string>? files = null)
    {
        Folder = new RepositoryFolder(System.IO.Path.Combine(_folder.Path, "repo"));
        if (settingsJson is not null)
        {
            Directory.CreateDirectory(Folder.Root);
            File.WriteAllText(Folder.SettingsPath, settingsJson);
        }
        foreach (var file in files ?? new Dictionary<string, string>())
        {
            Directory.CreateDirectory(Folder.Root);
            File.WriteAllText(System.IO.Path.Combine(Folder.Root, file.Key), file.Value);
        }
        Backend = RepositoryBackend.Open(Folder, Observer);
        Service = new ImageService(Backend, caller ?? Owner, Observer);
    }

    /// <summary>The default caller: the user of a personal repository (admin, member, reader), in project "tester".</summary>
    public static CallerContext Owner { get; } = new("tester", roles: CallerContext.PersonalRepositoryRoles, isAdmin: true);

    public RepositoryFolder Folder { get; }
    public RepositoryBackend Backend { get; }
    public ImageService Service { get; }
    public RecordingObserver Observer { get; } = new();

    /// <summary>Scratch space for source files, outside the repository.</summary>
    public TestFolder Scratch => _folder;

    /// <summary>Every file in the store folder, partial files included.</summary>
    public string[] StoreFiles() => Directory.GetFiles(Folder.StorePath).Select(System.IO.Path.GetFileName).ToArray()!;

    /// <summary>The same repository, seen by another caller.</summary>
    public ImageService ServiceFor(CallerContext caller) => new(Backend, caller, Observer);

    public Image NewImage(string name = "image", string diskFormat = "raw", bool isProtected = false) =>
        Service.CreateImage(new ImageDraft { Name = name, DiskFormat = diskFormat, ContainerFormat = "bare", Protected = isProtected });

    public void Dispose() => _folder.Dispose();
}

public sealed class RecordingObserver : IOperationObserver
{
    public List<string> Warnings { get; } = new();
    public List<string> VerboseMessages { get; } = new();
    public List<TransferProgress> ProgressReports { get; } = new();

    public void Warning(string message) => Warnings.Add(message);

    public void Verbose(string message) => VerboseMessages.Add(message);

    public void Progress(TransferProgress progress) => ProgressReports.Add(progress);
}
