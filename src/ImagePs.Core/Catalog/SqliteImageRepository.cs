using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.Data.Sqlite;

namespace ImagePs.Catalog;

/// <summary>
/// The embedded catalog: one SQLite file in WAL mode, shared safely by many processes on one
/// machine (busy timeout, immediate write transactions). Saves are compare-and-swap on status.
/// </summary>
internal sealed class SqliteImageRepository : IImageRepository, IStorageUsage
{
    private const int PageSize = 256;
    private const int BusyTimeoutMilliseconds = 30_000;
    private const string ImageColumns =
        "id, name, status, disk_format, container_format, visibility, protected, size, virtual_size, " +
        "checksum, os_hash_algo, os_hash_value, min_disk, min_ram, owner, created_at, updated_at";

    private readonly string _connectionString;
    private readonly Func<DateTime> _utcNow;

    private SqliteImageRepository(string path, Func<DateTime>? utcNow)
    {
        Path = path;
        _utcNow = utcNow ?? (() => DateTime.UtcNow);
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
            using var connection = repository.OpenConnection();
            SqliteCatalogSchema.Migrate(connection, path);
            SqliteCatalogSchema.RefreshStatistics(connection);
        }
        catch (SqliteException e)
        {
            throw ImageErrors.CatalogUnavailable(path, e);
        }
        return repository;
    }

    public void Add(Image image)
    {
        Write(connection =>
        {
            using var transaction = connection.BeginTransaction();
            if (EverExisted(connection, transaction, image.Id)) throw ImageErrors.AlreadyExists(image.Id);
            var now = _utcNow();
            using (var insert = Command(connection, transaction,
                       $"INSERT INTO images ({ImageColumns}, name_folded) VALUES " +
                       "(@id, @name, @status, @disk_format, @container_format, @visibility, @protected, @size, " +
                       "@virtual_size, @checksum, @os_hash_algo, @os_hash_value, @min_disk, @min_ram, @owner, " +
                       "@created_at, @updated_at, @name_folded)"))
            {
                BindImage(insert, image, now);
                insert.Parameters.AddWithValue("@created_at", FormatTime(image.CreatedAt));
                insert.ExecuteNonQuery();
            }
            WriteChildren(connection, transaction, image);
            transaction.Commit();
            image.MarkPersisted(now);
        });
    }

    public Image Get(Guid id)
    {
        return Read(connection =>
        {
            using var transaction = connection.BeginTransaction(deferred: true);
            var images = SelectPage(connection, transaction, "WHERE id = @id AND deleted = 0", c => c.Parameters.AddWithValue("@id", Key(id)));
            return images.Count == 1 ? images[0] : throw ImageErrors.NotFound(id);
        });
    }

    /// <summary>
    /// One statement per listing, read as the caller consumes it: a consistent snapshot (WAL: writers
    /// are not blocked), constant memory, and each matching row visited once whatever the filter, with
    /// tags, properties and locations loaded a batch at a time. Disposing the enumeration (e.g. by
    /// Select-Object -First) closes the statement.
    /// </summary>
    public IEnumerable<Image> List(ImageQuery query)
    {
        var filter = new SqlFilter(query);
        using var listing = new Listing(this, filter);
        while (listing.NextBatch() is { Count: > 0 } batch)
        {
            foreach (var image in batch)
            {
                if (filter.Matches(image)) yield return image;
            }
        }
    }

    /// <summary>The open statement behind <see cref="List"/>; SQLite errors become CatalogUnavailable.</summary>
    private sealed class Listing : IDisposable
    {
        private readonly SqliteImageRepository _repository;
        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _select;
        private readonly SqliteDataReader _reader;

        public Listing(SqliteImageRepository repository, SqlFilter filter)
        {
            _repository = repository;
            try
            {
                _connection = repository.OpenConnection();
                _select = _connection.CreateCommand();
                _select.CommandText = $"SELECT {ImageColumns} FROM images {filter.Where} ORDER BY created_at, id";
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
                while (batch.Count < PageSize && _reader.Read()) batch.Add(ReadImage(_reader));
                LoadChildren(_connection, null, batch);
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

    public void Save(Image image, ImageStatus? fromStatus = null)
    {
        var expected = fromStatus ?? image.PersistedStatus;
        Write(connection =>
        {
            using var transaction = connection.BeginTransaction();
            var now = _utcNow();
            using (var update = Command(connection, transaction,
                       "UPDATE images SET name = @name, name_folded = @name_folded, status = @status, " +
                       "disk_format = @disk_format, container_format = @container_format, visibility = @visibility, " +
                       "protected = @protected, size = @size, virtual_size = @virtual_size, checksum = @checksum, " +
                       "os_hash_algo = @os_hash_algo, os_hash_value = @os_hash_value, min_disk = @min_disk, " +
                       "min_ram = @min_ram, owner = @owner, updated_at = @updated_at " +
                       "WHERE id = @id AND deleted = 0 AND status = @expected"))
            {
                BindImage(update, image, now);
                update.Parameters.AddWithValue("@expected", GlanceNames.Of(expected));
                if (update.ExecuteNonQuery() == 0) throw SaveFailure(connection, transaction, image, expected);
            }
            using (var clear = Command(connection, transaction,
                       "DELETE FROM image_tags WHERE image_id = @id; DELETE FROM image_properties WHERE image_id = @id; " +
                       "DELETE FROM image_locations WHERE image_id = @id;"))
            {
                clear.Parameters.AddWithValue("@id", Key(image.Id));
                clear.ExecuteNonQuery();
            }
            WriteChildren(connection, transaction, image);
            transaction.Commit();
            image.MarkPersisted(now);
        });
    }

    public void Remove(Image image)
    {
        var expected = image.PersistedStatus;
        Write(connection =>
        {
            using var transaction = connection.BeginTransaction();
            var now = _utcNow();
            using (var update = Command(connection, transaction,
                       "UPDATE images SET status = @status, deleted = 1, deleted_at = @now, updated_at = @now " +
                       "WHERE id = @id AND deleted = 0 AND status = @expected"))
            {
                update.Parameters.AddWithValue("@id", Key(image.Id));
                update.Parameters.AddWithValue("@status", GlanceNames.Of(image.Status));
                update.Parameters.AddWithValue("@now", FormatTime(now));
                update.Parameters.AddWithValue("@expected", GlanceNames.Of(expected));
                if (update.ExecuteNonQuery() == 0) throw SaveFailure(connection, transaction, image, expected);
            }
            using (var locations = Command(connection, transaction, "UPDATE image_locations SET status = 'deleted' WHERE image_id = @id"))
            {
                locations.Parameters.AddWithValue("@id", Key(image.Id));
                locations.ExecuteNonQuery();
            }
            transaction.Commit();
            image.MarkPersisted(now);
        });
    }

    public long StorageUsedBy(string? owner, Guid excluding)
    {
        return Read(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText =
                "SELECT COALESCE(SUM(size), 0) FROM images WHERE deleted = 0 AND id <> @id AND owner IS @owner " +
                "AND status IN ('active', 'deactivated', 'pending_delete')";
            command.Parameters.AddWithValue("@id", Key(excluding));
            command.Parameters.AddWithValue("@owner", (object?)owner ?? DBNull.Value);
            return (long)command.ExecuteScalar()!;
        });
    }

    // --- reading ----------------------------------------------------------------------------------

    private static List<Image> SelectPage(SqliteConnection connection, SqliteTransaction transaction, string whereAndOrder, Action<SqliteCommand> bind)
    {
        var images = new List<Image>();
        using (var select = Command(connection, transaction, $"SELECT {ImageColumns} FROM images {whereAndOrder}"))
        {
            bind(select);
            using var reader = select.ExecuteReader();
            while (reader.Read()) images.Add(ReadImage(reader));
        }
        LoadChildren(connection, transaction, images);
        return images;
    }

    /// <summary>Tags, properties and locations of a batch of images, three queries for the whole batch.</summary>
    private static void LoadChildren(SqliteConnection connection, SqliteTransaction? transaction, List<Image> images)
    {
        if (images.Count == 0) return;
        var byId = images.ToDictionary(i => Key(i.Id), StringComparer.Ordinal);
        var ids = string.Join(", ", images.Select((_, i) => "@i" + i));
        void BindIds(SqliteCommand c)
        {
            for (var i = 0; i < images.Count; i++) c.Parameters.AddWithValue("@i" + i, Key(images[i].Id));
        }

        using (var tags = Command(connection, transaction, $"SELECT image_id, value FROM image_tags WHERE image_id IN ({ids})"))
        {
            BindIds(tags);
            using var reader = tags.ExecuteReader();
            while (reader.Read()) byId[reader.GetString(0)].LoadTag(reader.GetString(1));
        }
        using (var properties = Command(connection, transaction, $"SELECT image_id, name, value FROM image_properties WHERE image_id IN ({ids})"))
        {
            BindIds(properties);
            using var reader = properties.ExecuteReader();
            while (reader.Read()) byId[reader.GetString(0)].LoadProperty(reader.GetString(1), reader.GetString(2));
        }
        using (var locations = Command(connection, transaction, $"SELECT image_id, url, status FROM image_locations WHERE image_id IN ({ids}) ORDER BY id"))
        {
            BindIds(locations);
            using var reader = locations.ExecuteReader();
            while (reader.Read()) byId[reader.GetString(0)].LoadLocation(new ImageLocation(reader.GetString(1), reader.GetString(2)));
        }
    }

    private static Image ReadImage(SqliteDataReader r)
    {
        return Image.Load(
            id: Guid.Parse(r.GetString(0)),
            name: r.IsDBNull(1) ? null : r.GetString(1),
            status: GlanceNames.ParseStatus(r.GetString(2)),
            diskFormat: r.IsDBNull(3) ? null : r.GetString(3),
            containerFormat: r.IsDBNull(4) ? null : r.GetString(4),
            visibility: GlanceNames.ParseVisibility(r.GetString(5)),
            isProtected: r.GetInt64(6) != 0,
            size: r.IsDBNull(7) ? null : r.GetInt64(7),
            virtualSize: r.IsDBNull(8) ? null : r.GetInt64(8),
            checksum: r.IsDBNull(9) ? null : r.GetString(9),
            osHashAlgo: r.IsDBNull(10) ? null : r.GetString(10),
            osHashValue: r.IsDBNull(11) ? null : r.GetString(11),
            minDisk: checked((int)r.GetInt64(12)),
            minRam: checked((int)r.GetInt64(13)),
            owner: r.IsDBNull(14) ? null : r.GetString(14),
            createdAt: ParseTime(r.GetString(15)),
            updatedAt: ParseTime(r.GetString(16)));
    }

    // --- writing ----------------------------------------------------------------------------------

    private static void BindImage(SqliteCommand command, Image image, DateTime now)
    {
        var p = command.Parameters;
        p.AddWithValue("@id", Key(image.Id));
        p.AddWithValue("@name", (object?)image.Name ?? DBNull.Value);
        p.AddWithValue("@name_folded", image.Name is null ? DBNull.Value : WildcardPattern.Fold(image.Name));
        p.AddWithValue("@status", GlanceNames.Of(image.Status));
        p.AddWithValue("@disk_format", (object?)image.DiskFormat ?? DBNull.Value);
        p.AddWithValue("@container_format", (object?)image.ContainerFormat ?? DBNull.Value);
        p.AddWithValue("@visibility", GlanceNames.Of(image.Visibility));
        p.AddWithValue("@protected", image.Protected ? 1 : 0);
        p.AddWithValue("@size", (object?)image.Size ?? DBNull.Value);
        p.AddWithValue("@virtual_size", (object?)image.VirtualSize ?? DBNull.Value);
        p.AddWithValue("@checksum", (object?)image.Checksum ?? DBNull.Value);
        p.AddWithValue("@os_hash_algo", (object?)image.OsHashAlgo ?? DBNull.Value);
        p.AddWithValue("@os_hash_value", (object?)image.OsHashValue ?? DBNull.Value);
        p.AddWithValue("@min_disk", image.MinDisk);
        p.AddWithValue("@min_ram", image.MinRam);
        p.AddWithValue("@owner", (object?)image.Owner ?? DBNull.Value);
        p.AddWithValue("@updated_at", FormatTime(now));
    }

    private static void WriteChildren(SqliteConnection connection, SqliteTransaction transaction, Image image)
    {
        var id = Key(image.Id);
        if (image.Tags.Count > 0)
        {
            using var insert = Command(connection, transaction, "INSERT INTO image_tags (image_id, value, value_folded) VALUES (@id, @value, @folded)");
            var value = insert.Parameters.Add("@value", SqliteType.Text);
            var folded = insert.Parameters.Add("@folded", SqliteType.Text);
            insert.Parameters.AddWithValue("@id", id);
            foreach (var tag in image.Tags)
            {
                value.Value = tag;
                folded.Value = WildcardPattern.Fold(tag);
                insert.ExecuteNonQuery();
            }
        }
        if (image.Properties.Count > 0)
        {
            using var insert = Command(connection, transaction, "INSERT INTO image_properties (image_id, name, value) VALUES (@id, @name, @value)");
            var name = insert.Parameters.Add("@name", SqliteType.Text);
            var value = insert.Parameters.Add("@value", SqliteType.Text);
            insert.Parameters.AddWithValue("@id", id);
            foreach (var property in image.Properties)
            {
                name.Value = property.Key;
                value.Value = property.Value;
                insert.ExecuteNonQuery();
            }
        }
        if (image.Locations.Count > 0)
        {
            using var insert = Command(connection, transaction, "INSERT INTO image_locations (image_id, url, status) VALUES (@id, @url, @status)");
            var url = insert.Parameters.Add("@url", SqliteType.Text);
            var status = insert.Parameters.Add("@status", SqliteType.Text);
            insert.Parameters.AddWithValue("@id", id);
            foreach (var location in image.Locations)
            {
                url.Value = location.Url;
                status.Value = location.Status;
                insert.ExecuteNonQuery();
            }
        }
    }

    /// <summary>Why a compare-and-swap found no row: gone (not found) or in another status (conflict).</summary>
    private static ImagePsException SaveFailure(SqliteConnection connection, SqliteTransaction transaction, Image image, ImageStatus expected)
    {
        using var select = Command(connection, transaction, "SELECT status, deleted FROM images WHERE id = @id");
        select.Parameters.AddWithValue("@id", Key(image.Id));
        using var reader = select.ExecuteReader();
        if (!reader.Read() || reader.GetInt64(1) != 0) return ImageErrors.NotFound(image.Id);
        return ImageErrors.StatusConflict(image, expected, GlanceNames.ParseStatus(reader.GetString(0)));
    }

    /// <summary>True when the id is or ever was in the catalog: ids are never reused.</summary>
    private static bool EverExisted(SqliteConnection connection, SqliteTransaction transaction, Guid id)
    {
        using var select = Command(connection, transaction, "SELECT 1 FROM images WHERE id = @id");
        select.Parameters.AddWithValue("@id", Key(id));
        return select.ExecuteScalar() is not null;
    }

    // --- connections --------------------------------------------------------------------------------

    internal SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragmas = connection.CreateCommand();
        pragmas.CommandText = $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}; PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;";
        pragmas.ExecuteNonQuery();
        return connection;
    }

    internal T Read<T>(Func<SqliteConnection, T> work)
    {
        try
        {
            using var connection = OpenConnection();
            return work(connection);
        }
        catch (SqliteException e)
        {
            throw ImageErrors.CatalogUnavailable(Path, e);
        }
    }

    internal void Write(Action<SqliteConnection> work) => Read<object?>(connection =>
    {
        work(connection);
        return null;
    });

    internal static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    internal static string Key(Guid id) => id.ToString("D");

    internal static string FormatTime(DateTime value) =>
        value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    internal static DateTime ParseTime(string value) =>
        DateTime.ParseExact(value, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    /// <summary>Turns an <see cref="ImageQuery"/> into SQL conditions plus an exact in-memory check.</summary>
    private sealed class SqlFilter
    {
        private readonly List<string> _conditions = new() { "deleted = 0" };
        private readonly List<(string Name, object Value)> _parameters = new();
        private readonly List<WildcardPattern> _exactNames = new();
        private readonly bool _checkNames;

        public SqlFilter(ImageQuery query)
        {
            if (query.Ids is { Count: > 0 } ids) AddIn("id", ids.Select(Key));
            if (query.Statuses is { Count: > 0 } statuses) AddIn("status", statuses.Select(GlanceNames.Of));
            if (query.Visibilities is { Count: > 0 } visibilities) AddIn("visibility", visibilities.Select(GlanceNames.Of));
            if (query.DiskFormats is { Count: > 0 } formats)
                AddIn("disk_format", formats.Select(f => ImageFormats.CanonicalDiskFormat(f) ?? f));
            if (query.Owners is { Count: > 0 } owners) AddIn("owner", owners);
            if (query.Names is { Count: > 0 } names)
            {
                var patterns = names.Select(WildcardPattern.Parse).ToList();
                var globs = new List<string>();
                foreach (var pattern in patterns)
                {
                    var p = Parameter(pattern.ToGlobPrefilter());
                    globs.Add($"name_folded GLOB {p}");
                }
                _conditions.Add("(" + string.Join(" OR ", globs) + ")");
                _checkNames = patterns.Any(p => p.NeedsExactCheck);
                _exactNames = patterns;
            }
            if (query.Tags is { Count: > 0 } tags)
            {
                foreach (var tag in tags.Distinct(StringComparer.OrdinalIgnoreCase))
                {
                    var p = Parameter(WildcardPattern.Fold(tag));
                    _conditions.Add($"id IN (SELECT t.image_id FROM image_tags t WHERE t.value_folded = {p})");
                }
            }
            if (query.Properties is { Count: > 0 } properties)
            {
                foreach (var property in properties)
                {
                    var name = Parameter(property.Key);
                    var value = Parameter(property.Value);
                    _conditions.Add($"id IN (SELECT p.image_id FROM image_properties p WHERE p.name = {name} AND p.value = {value})");
                }
            }
        }

        public string Where => "WHERE " + string.Join(" AND ", _conditions);

        public void Bind(SqliteCommand command)
        {
            foreach (var (name, value) in _parameters) command.Parameters.AddWithValue(name, value);
        }

        /// <summary>GLOB cannot decide <c>?</c> and <c>[..]</c> exactly; this does.</summary>
        public bool Matches(Image image) => !_checkNames || _exactNames.Any(p => p.IsMatch(image.Name));

        private void AddIn(string column, IEnumerable<string> values)
        {
            var names = values.Distinct(StringComparer.Ordinal).Select(Parameter).ToList();
            _conditions.Add($"{column} IN ({string.Join(", ", names)})");
        }

        private string Parameter(string value)
        {
            var name = "@f" + _parameters.Count.ToString(CultureInfo.InvariantCulture);
            _parameters.Add((name, value));
            return name;
        }
    }
}
