using ImagePs.Catalog;

namespace ImagePs.Tests.Support;

/// <summary>
/// A catalog alone (no store, no layers) for the catalog contract tests: a SQLite file in a temp
/// folder, or a PostgreSQL schema of its own on the test server.
/// </summary>
internal sealed class TestCatalog : IDisposable
{
    private readonly TestFolder _folder = new();
    private readonly string? _schema;
    private readonly List<PostgreSqlImageRepository> _opened = new();

    public TestCatalog(TestBackend backend)
    {
        Kind = backend;
        if (backend == TestBackend.Servers) _schema = TestServers.NewSchema();
        Repository = Open();
    }

    public TestBackend Kind { get; }

    internal SqlImageRepository Repository { get; }

    /// <summary>The SQLite file (Embedded) or the connection string with this test's schema (Servers).</summary>
    public string Location => _schema is null ? _folder.File("catalog.db") : TestServers.ConnectionString(_schema);

    public string? Schema => _schema;

    /// <summary>Another catalog object over the same storage: another process, or another host.</summary>
    internal SqlImageRepository Open(Func<DateTime>? utcNow = null)
    {
        if (_schema is null) return SqliteImageRepository.Open(Location, utcNow);
        var repository = PostgreSqlImageRepository.Open(Location, "imageps.json", utcNow);
        _opened.Add(repository);
        return repository;
    }

    internal SqlImageMemberRepository Members(SqlImageRepository catalog, Func<DateTime>? utcNow = null) => catalog switch
    {
        SqliteImageRepository sqlite => new SqliteImageMemberRepository(sqlite, utcNow),
        PostgreSqlImageRepository server => new PostgreSqlImageMemberRepository(server, utcNow),
        _ => throw new ArgumentException("unknown catalog", nameof(catalog)),
    };

    public void Dispose()
    {
        foreach (var repository in _opened) repository.Connections.ClosePool();
        if (_schema is not null) TestServers.DropSchema(_schema);
        _folder.Dispose();
    }
}
