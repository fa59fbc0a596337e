using System.Text.Json;
using System.Text.Json.Nodes;
using ImagePs.Catalog;
using ImagePs.Domain;
using ImagePs.Settings;

namespace ImagePs.Tests.Support;

/// <summary>
/// A real repository in its own temp folder: SQLite file and filesystem store (Embedded), or a
/// PostgreSQL schema and an S3 bucket of its own on the test servers (Servers), chosen through
/// imageps.json as a user would.
/// </summary>
internal sealed class TestRepository : IDisposable
{
    private readonly TestFolder _folder = new();
    private readonly string? _schema;
    private readonly string? _bucket;

    /// <param name="files">Files to put in the repository folder before it is opened (policy.yaml, ...).</param>
    public TestRepository(string? settingsJson = null, CallerContext? caller = null, IReadOnlyDictionary<string, string>? files = null)
        : this(TestBackend.Embedded, settingsJson, caller, files)
    {
    }

    public TestRepository(TestBackend backend, string? settingsJson = null, CallerContext? caller = null, IReadOnlyDictionary<string, string>? files = null)
    {
        Kind = backend;
        Folder = new RepositoryFolder(System.IO.Path.Combine(_folder.Path, "repo"));
        if (backend == TestBackend.Servers)
        {
            _schema = TestServers.NewSchema();
            _bucket = TestServers.NewBucketName();
            settingsJson = WithServers(settingsJson, _schema, _bucket);
        }
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

    /// <summary>Which configuration this repository uses.</summary>
    public TestBackend Kind { get; }

    public RepositoryFolder Folder { get; }

    /// <summary>The opened repository (catalog, store, leases, settings).</summary>
    public RepositoryBackend Backend { get; }

    public ImageService Service { get; }
    public RecordingObserver Observer { get; } = new();

    /// <summary>The PostgreSQL schema (Servers only).</summary>
    public string? Schema => _schema;

    /// <summary>The bucket (Servers only).</summary>
    public string? Bucket => _bucket;

    /// <summary>Scratch space for source files, outside the repository.</summary>
    public TestFolder Scratch => _folder;

    /// <summary>
    /// Everything in the store: file names in the images folder (partial files included), or object
    /// keys in the bucket plus "upload:&lt;key&gt;" for multipart uploads in progress.
    /// </summary>
    public string[] StoreFiles() => Kind == TestBackend.Servers
        ? TestServers.BucketContents(_bucket!)
        : Directory.GetFiles(Folder.StorePath).Select(f => System.IO.Path.GetFileName(f)).ToArray();

    /// <summary>The stored bytes of an image (its one location), read back through the store.</summary>
    public byte[] StoredBytes(Image image)
    {
        using var data = Backend.Store.OpenRead(image.Locations.Single().Url);
        using var copy = new MemoryStream();
        data.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>Replaces an image's stored bytes behind ImagePs's back (damage, tampering), in either store.</summary>
    public void ReplaceStoredBytes(Image image, byte[]? bytes)
    {
        var id = image.Id.ToString("D");
        if (Kind == TestBackend.Servers)
        {
            if (bytes is null)
                TestServers.S3.DeleteObjectAsync(_bucket, id).GetAwaiter().GetResult();
            else
                TestServers.S3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest
                {
                    BucketName = _bucket, Key = id, InputStream = new MemoryStream(bytes), UseChunkEncoding = false,
                }).GetAwaiter().GetResult();
            return;
        }
        var path = System.IO.Path.Combine(Folder.StorePath, id);
        if (bytes is null) File.Delete(path);
        else File.WriteAllBytes(path, bytes);
    }

    /// <summary>The same repository, seen by another caller.</summary>
    public ImageService ServiceFor(CallerContext caller) => new(Backend, caller, Observer);

    public Image NewImage(string name = "image", string diskFormat = "raw", bool isProtected = false) =>
        Service.CreateImage(new ImageDraft { Name = name, DiskFormat = diskFormat, ContainerFormat = "bare", Protected = isProtected });

    /// <summary>The repository's imageps.json with this test's PostgreSQL schema and bucket added.</summary>
    public static string WithServers(string? settingsJson, string schema, string bucket)
    {
        var options = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
        var settings = settingsJson is null ? new JsonObject() : JsonNode.Parse(settingsJson, documentOptions: options)!.AsObject();
        settings["Catalog"] = new JsonObject { ["Provider"] = "PostgreSql", ["ConnectionString"] = TestServers.ConnectionString(schema) };
        settings["Store"] = new JsonObject
        {
            ["Provider"] = "S3", ["ServiceUrl"] = TestServers.S3Url, ["Bucket"] = bucket,
            ["AccessKey"] = TestServers.S3AccessKey, ["SecretKey"] = TestServers.S3SecretKey,
        };
        return settings.ToJsonString();
    }

    public void Dispose()
    {
        if (_schema is not null)
        {
            if (Backend?.Catalog is PostgreSqlImageRepository catalog) catalog.Connections.ClosePool();
            TestServers.DropSchema(_schema);
        }
        if (_bucket is not null) TestServers.DeleteBucket(_bucket);
        _folder.Dispose();
    }
}

internal sealed class RecordingObserver : IOperationObserver
{
    public List<string> Warnings { get; } = new();
    public List<string> VerboseMessages { get; } = new();
    public List<TransferProgress> ProgressReports { get; } = new();

    public void Warning(string message) => Warnings.Add(message);

    public void Verbose(string message) => VerboseMessages.Add(message);

    public void Progress(TransferProgress progress) => ProgressReports.Add(progress);
}
