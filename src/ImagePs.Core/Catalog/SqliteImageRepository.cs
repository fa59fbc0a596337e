using System;
using System.Collections.Generic;
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
            SqliteCatalogSchema.RefreshStatistics(connection);
        }
        catch (SqliteException e)
        {
            throw ImageErrors.CatalogUnavailable(path, e);
        }
        return repository;
    }

    /// <summary>
    /// One statement per listing, read as the caller consumes it: a consistent snapshot (WAL: writers
    /// are not blocked), constant memory, and each matching row visited once whatever the filter, with
    /// tags, properties and locations loaded a batch at a time. Disposing the enumeration (e.g. by
    /// Select-Object -First) closes the statement.
    /// </summary>
    public override IEnumerable<Image> List(ImageQuery query)
    {
        var filter = new ImageQueryFilter(query, Dialect);
        using var listing = new Listing(this, filter);
        while (listing.NextBatch() is { Count: > 0 } batch)
        {
            foreach (var image in batch)
            {
                if (filter.Matches(image)) yield return image;
            }
        }
    }

    internal override DbConnection OpenConnection() => OpenSqlite();

    protected override ImagePsException Unavailable(DbException error) => ImageErrors.CatalogUnavailable(Path, error);

    private SqliteConnection OpenSqlite()
    {
        foreach (var file in new[] { Path, Path + "-wal", Path + "-shm" }) Settings.RepositoryFile.RequireRegularOrMissing(file);
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragmas = connection.CreateCommand();
        pragmas.CommandText = $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}; PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;";
        pragmas.ExecuteNonQuery();
        return connection;
    }

    public override string ToString() => Path;

    /// <summary>The open statement behind <see cref="List"/>; SQLite errors become CatalogUnavailable.</summary>
    private sealed class Listing : IDisposable
    {
        private readonly SqliteImageRepository _repository;
        private readonly SqliteConnection? _connection;
        private readonly DbCommand? _select;
        private readonly DbDataReader? _reader;

        public Listing(SqliteImageRepository repository, ImageQueryFilter filter)
        {
            _repository = repository;
            try
            {
                _connection = repository.OpenSqlite();
                _select = Command(_connection, null, $"SELECT {ImageColumns} FROM images {filter.Where} ORDER BY created_at, id");
                filter.Bind(_select);
                _reader = _select.ExecuteReader();
            }
            catch (SqliteException e)
            {
                Dispose();
                throw ImageErrors.CatalogUnavailable(repository.Path, e);
            }
        }

        public List<Image> NextBatch()
        {
            try
            {
                var batch = new List<Image>(PageSize);
                while (batch.Count < PageSize && _reader!.Read()) batch.Add(_repository.ReadImage(_reader));
                _repository.LoadChildren(_connection!, null, batch);
                return batch;
            }
            catch (SqliteException e)
            {
                throw ImageErrors.CatalogUnavailable(_repository.Path, e);
            }
        }

        public void Dispose()
        {
            _reader?.Dispose();
            _select?.Dispose();
            _connection?.Dispose();
        }
    }
}
