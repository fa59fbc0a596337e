using System;
using System.Collections.Generic;
using System.Data.Common;
using System.IO;
using System.Linq;
using ImagePs.Errors;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ImagePs.Catalog;

/// <summary>
/// The embedded catalog: one SQLite file in WAL mode, shared safely by many processes on one
/// machine (busy timeout, immediate write transactions). Saves are compare-and-swap on status and
/// row version; the statements are <see cref="SqlImageRepository"/>'s, shared with the PostgreSQL
/// catalog. Reading never needs write access or the write lock: a catalog this process cannot
/// write (read-only file or mount, read-only user) is opened for reading only, and maintenance and
/// migrations run only on a writable one.
/// </summary>
internal sealed class SqliteImageRepository : SqlImageRepository
{
    internal static readonly TimeSpan DefaultBusyTimeout = TimeSpan.FromSeconds(30);

    private readonly TimeSpan _busyTimeout;
    private string _connectionString;

    private SqliteImageRepository(string path, Func<DateTime>? utcNow, TimeSpan busyTimeout)
        : base(SqliteDialect.Instance, utcNow)
    {
        Path = path;
        _busyTimeout = busyTimeout;
        _connectionString = ConnectionString(path, SqliteOpenMode.ReadWriteCreate);
    }

    public string Path { get; }

    /// <summary>False when this process may only read the catalog; then nothing that writes may run.</summary>
    internal override bool IsWritable => _writable;

    private bool _writable = true;

    /// <summary>
    /// Opens the catalog at <paramref name="path"/>: creates and migrates it when it is writable,
    /// opens it for reading when it is not. A 0-byte catalog beside a <paramref name="storeFolder"/>
    /// that holds data is refused (CatalogUnavailable), never re-created empty. With
    /// <paramref name="readOnly"/> (tab completion) an existing catalog is only read: never created,
    /// migrated or optimized, and one that would need a migration is CatalogUnavailable.
    /// </summary>
    public static SqliteImageRepository Open(string path, Func<DateTime>? utcNow = null, string? storeFolder = null, TimeSpan? busyTimeout = null, bool readOnly = false)
    {
        SqliteNativeLibrary.EnsureInitialized();
        if (storeFolder is not null) RefuseEmptyCatalogOverData(path, storeFolder);
        var repository = new SqliteImageRepository(path, utcNow, busyTimeout ?? DefaultBusyTimeout);
        if (readOnly) repository._connectionString = repository.ConnectionString(path, SqliteOpenMode.ReadOnly);
        SqliteConnection? connection = null;
        try
        {
            connection = repository.OpenReadable();
            repository._writable = raw.sqlite3_db_readonly(connection.Handle, "main") == 0;
            if (repository._writable)
            {
                SqliteCatalogSchema.Migrate(connection, path);
                SqliteCatalogSchema.RefreshStatistics(connection);
            }
            else
            {
                var version = SqliteCatalogSchema.ReadVersion(connection);
                if (version > SqliteCatalogSchema.CurrentVersion) throw ImageErrors.CatalogSchemaTooNew(path, version, SqliteCatalogSchema.CurrentVersion);
                if (version < SqliteCatalogSchema.CurrentVersion) throw ImageErrors.CatalogReadOnlyOutdated(path, version, SqliteCatalogSchema.CurrentVersion);
            }
        }
        catch (SqliteException e)
        {
            throw repository.Unavailable(e, connection);
        }
        finally
        {
            connection?.Dispose();
        }
        return repository;
    }

    /// <summary>
    /// A first connection that can at least read. SQLite falls back to reading by itself when the file
    /// cannot be opened for writing; but a WAL catalog on a read-only mount, whose -shm file is absent
    /// and cannot be created, cannot even be read that way: then it is opened immutable (no locks, no
    /// -shm), which is safe because nobody can write a file on a read-only mount.
    /// </summary>
    private SqliteConnection OpenReadable()
    {
        var connection = OpenSqlite();
        try
        {
            SqliteCatalogSchema.ReadVersion(connection);
            return connection;
        }
        catch (SqliteException e) when (e.SqliteErrorCode is raw.SQLITE_CANTOPEN or raw.SQLITE_READONLY && File.Exists(Path))
        {
            connection.Dispose();
            _connectionString = ConnectionString(new Uri(System.IO.Path.GetFullPath(Path)).AbsoluteUri + "?immutable=1", SqliteOpenMode.ReadOnly);
            return OpenSqlite();
        }
    }

    private string ConnectionString(string dataSource, SqliteOpenMode mode) => new SqliteConnectionStringBuilder
    {
        DataSource = dataSource,
        Mode = mode,
        Cache = SqliteCacheMode.Private,
        Pooling = true,
        DefaultTimeout = (int)Math.Ceiling(_busyTimeout.TotalSeconds),
    }.ToString();

    /// <summary>An empty catalog file would be re-created empty, hiding every image whose data the store holds.</summary>
    private static void RefuseEmptyCatalogOverData(string path, string storeFolder)
    {
        var catalog = new FileInfo(path);
        if (!catalog.Exists || catalog.Length > 0 || !Directory.Exists(storeFolder)) return;
        if (Directory.EnumerateFileSystemEntries(storeFolder).Any()) throw ImageErrors.CatalogEmptyWithData(path, storeFolder);
    }

    /// <summary>
    /// One statement per listing, read as the caller consumes it: a consistent snapshot (WAL: writers
    /// are not blocked), constant memory, and each matching row visited once whatever the filter, in the query's order and page (LIMIT/OFFSET), with
    /// tags, properties and locations loaded a batch at a time. Disposing the enumeration (e.g. by
    /// Select-Object -First) closes the statement.
    /// </summary>
    public override IEnumerable<Image> List(ImageQuery query)
    {
        var filter = Filter(query);
        return CutPage(Matching(filter), filter);
    }

    /// <summary>
    /// SQLite keeps no histograms, so it cannot tell a tag wildcard matching 0.1% of the images
    /// from one matching 11%: it searched image_tags for both, and for 11,000 matches read and
    /// sorted them all before the first of a -First 100 page (218 ms at 100,000 images), where
    /// walking the listing order finds 100 within 1,000 rows. Tag patterns are counted first
    /// (<see cref="TagShare"/>), and the filter chooses the query's shape by the count.
    /// </summary>
    internal override ImageQueryFilter Filter(ImageQuery query) => new(query, Dialect, CountTag);

    /// <summary>
    /// How many tags a prefilter matches, counted in image_tags_value up to a fifth of the catalog
    /// (beyond that, walking the listing order wins anyway), of how many images: the table's highest
    /// rowid (rows are never removed, deleted ones included). Null for an empty catalog or when it cannot be read.
    /// </summary>
    private TagShare? CountTag(string prefilter)
    {
        try
        {
            return Read((connection, transaction) =>
            {
                using var rows = Command(connection, transaction, "SELECT COALESCE(MAX(rowid), 0) FROM images");
                var images = Convert.ToInt64(rows.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
                if (images == 0) return (TagShare?)null;
                using var count = Command(connection, transaction,
                    "SELECT COUNT(*) FROM (SELECT 1 FROM image_tags WHERE value_folded GLOB @pattern LIMIT @cap)");
                AddParameter(count, "@pattern", prefilter);
                AddParameter(count, "@cap", images / 5 + 1);
                return new TagShare(Convert.ToInt64(count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture), images);
            });
        }
        catch (ImagePsException)
        {
            return null; // only a hint: the listing itself reports what is wrong
        }
    }

    private IEnumerable<Image> Matching(ImageQueryFilter filter)
    {
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

    /// <summary>
    /// What a SQLite error means for the user: a lock held by another process past the busy timeout,
    /// a full disk (SQLITE_FULL, or an I/O error whose OS error is ENOSPC/EDQUOT), or an unusable catalog.
    /// </summary>
    protected override ImagePsException Unavailable(DbException error, DbConnection? connection)
    {
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path)) ?? Path;
        if (error is not SqliteException sqlite) return ImageErrors.CatalogUnavailable(Path, error);
        switch (sqlite.SqliteErrorCode)
        {
            case raw.SQLITE_BUSY or raw.SQLITE_LOCKED:
                return ImageErrors.CatalogBusy(Path, (int)Math.Ceiling(_busyTimeout.TotalSeconds), error);
            case raw.SQLITE_FULL:
                return ImageErrors.CatalogFull(folder, error);
            case raw.SQLITE_IOERR when connection is SqliteConnection { Handle: { } handle } && DiskFull(SqliteNativeLibrary.SystemErrno(handle)):
                return ImageErrors.CatalogFull(folder, error);
            default:
                return ImageErrors.CatalogUnavailable(Path, error);
        }
    }

    /// <summary>The OS error numbers for "no space left" and "quota exceeded".</summary>
    private static bool DiskFull(int? errno)
    {
        if (OperatingSystem.IsWindows()) return errno is 39 or 112; // ERROR_HANDLE_DISK_FULL, ERROR_DISK_FULL
        if (OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD()) return errno is 28 or 69; // ENOSPC, EDQUOT
        return errno is 28 or 122; // Linux: ENOSPC, EDQUOT
    }

    /// <summary>Closes this catalog's idle pooled connections, so none keeps the file open once the repository is let go.</summary>
    public void ClosePool()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private SqliteConnection OpenSqlite()
    {
        foreach (var file in new[] { Path, Path + "-wal", Path + "-shm" }) Settings.RepositoryFile.RequireRegularOrMissing(file);
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragmas = connection.CreateCommand();
        pragmas.CommandText = $"PRAGMA busy_timeout = {(long)_busyTimeout.TotalMilliseconds}; PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;";
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
                _select = Command(_connection, null, $"SELECT {ImageColumns} FROM images {filter.Where} {filter.OrderBy} {filter.Page}");
                filter.Bind(_select);
                _reader = _select.ExecuteReader();
            }
            catch (SqliteException e)
            {
                var error = repository.Unavailable(e, _connection);
                Dispose();
                throw error;
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
                throw _repository.Unavailable(e, _connection);
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
