using System;
using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace ImagePs.Catalog;

/// <summary>
/// The embedded catalog: one SQLite file in WAL mode, shared safely by many processes on one
/// machine (busy timeout, immediate write transactions). Saves are compare-and-swap on status; the
/// statements are <see cref="SqlImageRepository"/>'s, shared with the PostgreSQL catalog.
/// </summary>
internal sealed class SqliteImageRepository : SqlImageRepository
{
    private const int BusyTimeoutMilliseconds = 30_000;

    private readonly string _connectionString;

    private SqliteImageRepository(string path, Func<DateTime>? utcNow)
        : base(SqliteDialect.Instance, utcNow)
    {
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = BusyTimeoutMilliseconds / 1000,
        }.ToString();
    }

    public string Path { get; }

    /// <summary>Opens (creating and migrating when needed) the catalog at <paramref name="path"/>.</summary>
    public static SqliteImageRepository Open(string path, Func<DateTime>? utcNow = null)
    {
        SqliteNativeLibrary.EnsureInitialized();
        var repository = new SqliteImageRepository(path, utcNow);
        try
        {
            using var connection = repository.OpenSqlite();
            SqliteCatalogSchema.Migrate(connection, path);
        }
        catch (SqliteException e)
        {
            throw ImageErrors.CatalogUnavailable(path, e);
        }
        return repository;
    }

    internal override DbConnection OpenConnection() => OpenSqlite();

    protected override ImagePsException Unavailable(DbException error) => ImageErrors.CatalogUnavailable(Path, error);

    private SqliteConnection OpenSqlite()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragmas = connection.CreateCommand();
        pragmas.CommandText = $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}; PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;";
        pragmas.ExecuteNonQuery();
        return connection;
    }

    public override string ToString() => Path;
}
