using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Linq;
using ImagePs.Domain;
using ImagePs.Errors;

namespace ImagePs.Catalog;

/// <summary>
/// The image catalog in SQL, shared by the SQLite and the PostgreSQL catalogs: the same tables,
/// statements, query filters (<see cref="ImageQueryFilter"/>) and compare-and-swap saves (a
/// conditional UPDATE on the status read), with the differences in a <see cref="SqlDialect"/>.
/// Subclasses open connections, stream listings their own way and say what an unusable catalog is.
/// </summary>
internal abstract class SqlImageRepository : IImageRepository, IStorageUsage, IDeleteQueue
{
    /// <summary>Images read (and their children loaded) per batch or page of a listing.</summary>
    protected const int PageSize = 256;

    internal const string ImageColumns =
        "id, name, status, disk_format, container_format, visibility, protected, size, virtual_size, " +
        "checksum, os_hash_algo, os_hash_value, min_disk, min_ram, owner, created_at, updated_at, version, hidden, " +
        "status_before_delete, pending_delete_at";

    /// <summary>The parameters of <see cref="ImageColumns"/>, in order, for an INSERT (a new row is at version 0).</summary>
    internal const string ImageValues =
        "@id, @name, @status, @disk_format, @container_format, @visibility, @protected, @size, " +
        "@virtual_size, @checksum, @os_hash_algo, @os_hash_value, @min_disk, @min_ram, @owner, " +
        "@created_at, @updated_at, 0, @hidden, @status_before_delete, @pending_delete_at";

    /// <summary>How many columns <see cref="ImageColumns"/> names: the ordinal of the first column after them.</summary>
    internal const int ImageColumnCount = 21;

    private readonly Func<DateTime> _utcNow;

    protected SqlImageRepository(SqlDialect dialect, Func<DateTime>? utcNow)
    {
        Dialect = dialect;
        _utcNow = utcNow ?? CatalogTime.UtcNow;
    }

    internal SqlDialect Dialect { get; }

    /// <summary>False when this process may only read the catalog: upload recovery and other writes wait for a writer.</summary>
    internal virtual bool IsWritable => true;

    /// <summary>A new open connection (pooled).</summary>
    internal abstract DbConnection OpenConnection();

    /// <summary>
    /// The error for a catalog that cannot be reached or used (never naming a secret);
    /// <paramref name="connection"/> is the connection the error happened on, still open, if any.
    /// </summary>
    protected abstract ImagePsException Unavailable(DbException error, DbConnection? connection);

    /// <summary>Now, as the catalog stores it.</summary>
    internal DateTime UtcNow() => CatalogTime.Truncate(_utcNow());

    /// <summary>
    /// The per-owner quotas the catalog enforces inside its write transactions, so that two processes
    /// cannot both pass them (the quota layer checks them earlier too, for an early refusal):
    /// <c>ImageCountQuota</c> when an image is added, <c>UserStorageQuota</c> when an upload makes an
    /// image Active. 0 (count: 0 or less) is unlimited.
    /// </summary>
    internal int ImageCountQuota { get; set; }

    /// <inheritdoc cref="ImageCountQuota"/>
    internal long UserStorageQuota { get; set; }

    public void Add(Image image)
    {
        var now = UtcNow();
        Write((connection, transaction) =>
        {
            if (EverExisted(connection, transaction, image.Id)) throw ImageErrors.AlreadyExists(image.Id);
            CheckImageCount(connection, transaction, image);
            using (var insert = Command(connection, transaction,
                       $"INSERT INTO images ({ImageColumns}, name_folded) VALUES ({ImageValues}, @name_folded)"))
            {
                BindImage(insert, image, now);
                AddParameter(insert, "@created_at", Dialect.Time(image.CreatedAt));
                try
                {
                    insert.ExecuteNonQuery();
                }
                catch (DbException e) when (Dialect.IsUniqueViolation(e))
                {
                    throw ImageErrors.AlreadyExists(image.Id); // added by another host since the check
                }
            }
            WriteChildren(connection, transaction, image);
        });
        image.MarkPersisted(now, 0);
    }

    public Image Get(Guid id)
    {
        var images = Read((connection, transaction) =>
            SelectPage(connection, transaction, "WHERE id = @id AND deleted = @false", c =>
            {
                AddParameter(c, "@id", Dialect.Id(id));
                AddParameter(c, "@false", Dialect.Flag(false));
            }));
        return images.Count == 1 ? images[0] : throw ImageErrors.NotFound(id);
    }

    /// <summary>Matching images, oldest first (created_at, then id), streamed; each catalog reads them its own way.</summary>
    public abstract IEnumerable<Image> List(ImageQuery query);

    /// <summary>How many images the query's filters match (its Skip and First aside): COUNT(*) when the database decides every condition.</summary>
    public long Count(ImageQuery query)
    {
        var all = query.Clone();
        all.Skip = 0;
        all.First = null;
        var filter = Filter(all);
        if (!filter.PagedByCatalog) return List(all).LongCount();
        return Read((connection, transaction) =>
        {
            using var count = Command(connection, transaction, $"SELECT COUNT(*) FROM images {filter.Where}");
            filter.Bind(count);
            return Convert.ToInt64(count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        });
    }

    /// <summary>The query's SQL as this catalog runs it.</summary>
    internal virtual ImageQueryFilter Filter(ImageQuery query) => new(query, Dialect);

    /// <summary>The query's Skip and First over matching images, when the database could not cut the page itself.</summary>
    protected static IEnumerable<Image> CutPage(IEnumerable<Image> matching, ImageQueryFilter filter)
    {
        if (filter.PagedByCatalog) return matching;
        var page = matching.Skip(filter.Query.Skip > int.MaxValue ? int.MaxValue : (int)filter.Query.Skip);
        return filter.Query.First is long first ? page.Take(first > int.MaxValue ? int.MaxValue : (int)first) : page;
    }

    public void Save(Image image, ImageStatus? fromStatus = null)
    {
        var expected = fromStatus ?? image.PersistedStatus;
        var now = UtcNow();
        Write((connection, transaction) =>
        {
            if (expected == ImageStatus.Saving && image.Status == ImageStatus.Active) CheckStorage(connection, transaction, image);
            using (var update = Command(connection, transaction,
                       "UPDATE images SET name = @name, name_folded = @name_folded, status = @status, " +
                       "disk_format = @disk_format, container_format = @container_format, visibility = @visibility, " +
                       "protected = @protected, size = @size, virtual_size = @virtual_size, checksum = @checksum, " +
                       "os_hash_algo = @os_hash_algo, os_hash_value = @os_hash_value, min_disk = @min_disk, " +
                       "min_ram = @min_ram, owner = @owner, hidden = @hidden, status_before_delete = @status_before_delete, " +
                       "pending_delete_at = @pending_delete_at, updated_at = @updated_at, version = version + 1 " +
                       "WHERE id = @id AND deleted = @false AND status = @expected AND version = @version"))
            {
                BindImage(update, image, now);
                AddParameter(update, "@false", Dialect.Flag(false));
                AddParameter(update, "@expected", GlanceNames.Of(expected));
                AddParameter(update, "@version", image.PersistedVersion);
                if (update.ExecuteNonQuery() == 0) throw SaveFailure(connection, transaction, image, expected);
            }
            foreach (var table in new[] { "image_tags", "image_properties", "image_locations" })
            {
                using var clear = Command(connection, transaction, $"DELETE FROM {table} WHERE image_id = @id");
                AddParameter(clear, "@id", Dialect.Id(image.Id));
                clear.ExecuteNonQuery();
            }
            WriteChildren(connection, transaction, image);
        });
        image.MarkPersisted(now, image.PersistedVersion + 1);
    }

    public void Remove(Image image)
    {
        if (image.Status == ImageStatus.PendingDelete)
        {
            RemoveDelayed(image);
            return;
        }
        var expected = image.PersistedStatus;
        var now = UtcNow();
        Write((connection, transaction) =>
        {
            using (var update = Command(connection, transaction,
                       "UPDATE images SET status = @status, deleted = @true, deleted_at = @now, updated_at = @now, version = version + 1 " +
                       "WHERE id = @id AND deleted = @false AND status = @expected"))
            {
                AddParameter(update, "@id", Dialect.Id(image.Id));
                AddParameter(update, "@status", GlanceNames.Of(image.Status));
                AddParameter(update, "@now", Dialect.Time(now));
                AddParameter(update, "@true", Dialect.Flag(true));
                AddParameter(update, "@false", Dialect.Flag(false));
                AddParameter(update, "@expected", GlanceNames.Of(expected));
                if (update.ExecuteNonQuery() == 0) throw SaveFailure(connection, transaction, image, expected);
            }
            // Glance's location status pending_delete: the data is to be deleted; ConfirmDataDeleted marks it deleted.
            using (var locations = Command(connection, transaction, $"UPDATE image_locations SET status = '{DataToDelete}' WHERE image_id = @id"))
            {
                AddParameter(locations, "@id", Dialect.Id(image.Id));
                locations.ExecuteNonQuery();
            }
        });
        image.MarkPersisted(now, image.PersistedVersion + 1);
    }

    /// <summary>
    /// Delayed delete: the row stays (found by id, its data kept) in PendingDelete, with the status
    /// it had and the catalog's time of the delete; a compare-and-swap like any save.
    /// </summary>
    private void RemoveDelayed(Image image)
    {
        var expected = image.PersistedStatus;
        var now = UtcNow();
        image.MarkPendingDelete(now);
        Write((connection, transaction) =>
        {
            using var update = Command(connection, transaction,
                "UPDATE images SET status = @status, status_before_delete = @status_before_delete, pending_delete_at = @pending_delete_at, " +
                "updated_at = @now, version = version + 1 WHERE id = @id AND deleted = @false AND status = @expected AND version = @version");
            AddParameter(update, "@id", Dialect.Id(image.Id));
            AddParameter(update, "@status", GlanceNames.Of(image.Status));
            AddParameter(update, "@status_before_delete", GlanceNames.Of(image.StatusBeforeDelete ?? expected));
            AddParameter(update, "@pending_delete_at", Dialect.Time(now));
            AddParameter(update, "@now", Dialect.Time(now));
            AddParameter(update, "@false", Dialect.Flag(false));
            AddParameter(update, "@expected", GlanceNames.Of(expected));
            AddParameter(update, "@version", image.PersistedVersion);
            if (update.ExecuteNonQuery() == 0) throw SaveFailure(connection, transaction, image, expected);
        });
        image.MarkPersisted(now, image.PersistedVersion + 1);
    }

    /// <summary>A deleted image's last record (Restore-Image names what it cannot restore), or null when the id never existed or is live.</summary>
    public Image? FindDeleted(Guid id)
    {
        var images = Read((connection, transaction) =>
            SelectPage(connection, transaction, "WHERE id = @id AND deleted = @true", c =>
            {
                AddParameter(c, "@id", Dialect.Id(id));
                AddParameter(c, "@true", Dialect.Flag(true));
            }));
        return images.Count == 1 ? images[0] : null;
    }

    /// <summary>The location status of a deleted image's data not yet confirmed gone from the store (Glance's name for it).</summary>
    internal const string DataToDelete = "pending_delete";

    /// <summary>One search of images_pending_delete (migration 10), a partial index in this very order.</summary>
    public IReadOnlyList<Image> ListPendingDelete(DateTime? removedAtOrBefore, int? limit)
    {
        var bound = removedAtOrBefore is null ? "" : " AND pending_delete_at <= @before";
        var order = $"ORDER BY {Dialect.OrderTerm("pending_delete_at", descending: false, nullable: true)}, id";
        return ReadPage($"WHERE status = 'pending_delete' AND deleted = @false{bound} {order} {Dialect.LimitOffset(limit, 0)}", c =>
        {
            AddParameter(c, "@false", Dialect.Flag(false));
            if (removedAtOrBefore is DateTime before) AddParameter(c, "@before", Dialect.Time(before));
        });
    }

    /// <summary>One search of image_locations_to_delete (migration 10), a partial index of the few such locations.</summary>
    public IReadOnlyList<(Guid ImageId, string Location)> ListDataToDelete(int limit) =>
        Read((connection, transaction) =>
        {
            using var select = Command(connection, transaction,
                $"SELECT l.image_id, l.url FROM image_locations l JOIN images i ON i.id = l.image_id " +
                $"WHERE l.status = '{DataToDelete}' AND i.deleted = @true ORDER BY l.id {Dialect.LimitOffset(limit, 0)}");
            AddParameter(select, "@true", Dialect.Flag(true));
            using var reader = select.ExecuteReader();
            var found = new List<(Guid, string)>();
            while (reader.Read()) found.Add((Dialect.ReadId(reader, 0), reader.GetString(1)));
            return found;
        });

    public void ConfirmDataDeleted(Guid imageId, string location) =>
        Write((connection, transaction) =>
        {
            using var update = Command(connection, transaction,
                $"UPDATE image_locations SET status = 'deleted' WHERE image_id = @id AND url = @url AND status = '{DataToDelete}'");
            AddParameter(update, "@id", Dialect.Id(imageId));
            AddParameter(update, "@url", location);
            update.ExecuteNonQuery();
        });

    public long StorageUsedBy(string? owner, Guid excluding) =>
        Read((connection, transaction) => StorageUsedBy(connection, transaction, owner, excluding));

    private long StorageUsedBy(DbConnection connection, DbTransaction transaction, string? owner, Guid excluding)
    {
        using var command = Command(connection, transaction,
            "SELECT COALESCE(SUM(size), 0) FROM images WHERE deleted = @false AND id <> @id AND " +
            Dialect.NullSafeEquals("owner", "@owner") + " AND status IN ('active', 'deactivated', 'pending_delete')");
        AddParameter(command, "@false", Dialect.Flag(false));
        AddParameter(command, "@id", Dialect.Id(excluding));
        AddParameter(command, "@owner", owner);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    // --- quotas, inside the write transaction ---------------------------------------------------------

    /// <summary>The owner's storage, re-read under the owner's usage lock, still leaves room for this image's data.</summary>
    private void CheckStorage(DbConnection connection, DbTransaction transaction, Image image)
    {
        var quota = UserStorageQuota;
        if (quota <= 0) return;
        Dialect.LockOwnerUsage(connection, transaction, image.Owner);
        var used = StorageUsedBy(connection, transaction, image.Owner, image.Id);
        if (used + (image.Size ?? 0) > quota) throw ImageErrors.StorageQuotaExceeded(image, quota, used);
    }

    /// <summary>The owner's image count, re-read under the owner's usage lock, leaves room for one more.</summary>
    private void CheckImageCount(DbConnection connection, DbTransaction transaction, Image image)
    {
        var quota = ImageCountQuota;
        if (quota <= 0 || image.Owner is not { } owner) return;
        Dialect.LockOwnerUsage(connection, transaction, owner);
        using var count = Command(connection, transaction, "SELECT COUNT(*) FROM images WHERE deleted = @false AND owner = @owner AND status <> 'pending_delete'");
        AddParameter(count, "@false", Dialect.Flag(false));
        AddParameter(count, "@owner", owner);
        var owned = Convert.ToInt64(count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (owned + 1 > quota) throw ImageErrors.ImageCountQuotaExceeded(owner, checked((int)owned + 1), quota, image);
    }

    // --- reading ----------------------------------------------------------------------------------

    private List<Image> SelectPage(DbConnection connection, DbTransaction transaction, string whereAndOrder, Action<DbCommand> bind)
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

    /// <summary>Reads a page of images (and their tags, properties and locations) in one read transaction.</summary>
    protected List<Image> ReadPage(string whereAndOrder, Action<DbCommand> bind) =>
        Read((connection, transaction) => SelectPage(connection, transaction, whereAndOrder, bind));

    /// <summary>Tags, properties and locations of a batch of images: three queries for the whole batch.</summary>
    internal void LoadChildren(DbConnection connection, DbTransaction? transaction, List<Image> images)
    {
        if (images.Count == 0) return;
        var byId = images.ToDictionary(i => i.Id);
        var ids = string.Join(", ", images.Select((_, i) => "@i" + i));
        DbCommand Children(string sql)
        {
            var command = Command(connection, transaction, sql);
            for (var i = 0; i < images.Count; i++) AddParameter(command, "@i" + i, Dialect.Id(images[i].Id));
            return command;
        }

        using (var tags = Children($"SELECT image_id, value FROM image_tags WHERE image_id IN ({ids})"))
        using (var reader = tags.ExecuteReader())
        {
            while (reader.Read()) byId[Dialect.ReadId(reader, 0)].LoadTag(reader.GetString(1));
        }
        using (var properties = Children($"SELECT image_id, name, value FROM image_properties WHERE image_id IN ({ids})"))
        using (var reader = properties.ExecuteReader())
        {
            while (reader.Read()) byId[Dialect.ReadId(reader, 0)].LoadProperty(reader.GetString(1), reader.GetString(2));
        }
        using (var locations = Children($"SELECT image_id, url, status FROM image_locations WHERE image_id IN ({ids}) ORDER BY id"))
        using (var reader = locations.ExecuteReader())
        {
            while (reader.Read()) byId[Dialect.ReadId(reader, 0)].LoadLocation(new ImageLocation(reader.GetString(1), reader.GetString(2)));
        }
    }

    internal Image ReadImage(DbDataReader r)
    {
        string? Text(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        long? Number(int i) => r.IsDBNull(i) ? null : Dialect.ReadInteger(r, i);
        return Image.Load(
            id: Dialect.ReadId(r, 0),
            name: Text(1),
            status: GlanceNames.ParseStatus(r.GetString(2)),
            diskFormat: Text(3),
            containerFormat: Text(4),
            visibility: GlanceNames.ParseVisibility(r.GetString(5)),
            isProtected: Dialect.ReadFlag(r, 6),
            size: Number(7),
            virtualSize: Number(8),
            checksum: Text(9),
            osHashAlgo: Text(10),
            osHashValue: Text(11),
            minDisk: checked((int)Dialect.ReadInteger(r, 12)),
            minRam: checked((int)Dialect.ReadInteger(r, 13)),
            owner: Text(14),
            createdAt: Dialect.ReadTime(r, 15),
            updatedAt: Dialect.ReadTime(r, 16),
            version: Dialect.ReadInteger(r, 17),
            hidden: Dialect.ReadFlag(r, 18),
            statusBeforeDelete: r.IsDBNull(19) ? null : GlanceNames.ParseStatus(r.GetString(19)),
            pendingDeleteAt: r.IsDBNull(20) ? null : Dialect.ReadTime(r, 20));
    }

    // --- writing ----------------------------------------------------------------------------------

    private void BindImage(DbCommand command, Image image, DateTime now)
    {
        AddParameter(command, "@id", Dialect.Id(image.Id));
        AddParameter(command, "@name", image.Name);
        AddParameter(command, "@name_folded", image.Name is null ? null : WildcardPattern.Fold(image.Name));
        AddParameter(command, "@status", GlanceNames.Of(image.Status));
        AddParameter(command, "@disk_format", image.DiskFormat);
        AddParameter(command, "@container_format", image.ContainerFormat);
        AddParameter(command, "@visibility", GlanceNames.Of(image.Visibility));
        AddParameter(command, "@protected", Dialect.Flag(image.Protected));
        AddParameter(command, "@hidden", Dialect.Flag(image.Hidden));
        AddParameter(command, "@size", image.Size);
        AddParameter(command, "@virtual_size", image.VirtualSize);
        AddParameter(command, "@checksum", image.Checksum);
        AddParameter(command, "@os_hash_algo", image.OsHashAlgo);
        AddParameter(command, "@os_hash_value", image.OsHashValue);
        AddParameter(command, "@min_disk", image.MinDisk);
        AddParameter(command, "@min_ram", image.MinRam);
        AddParameter(command, "@owner", image.Owner);
        AddParameter(command, "@updated_at", Dialect.Time(now));
        AddParameter(command, "@status_before_delete", image.StatusBeforeDelete is ImageStatus before ? GlanceNames.Of(before) : null);
        AddParameter(command, "@pending_delete_at", image.PendingDeleteAt is DateTime at ? Dialect.Time(at) : null);
    }

    internal void WriteChildren(DbConnection connection, DbTransaction transaction, Image image)
    {
        var id = Dialect.Id(image.Id);
        void InsertEach<T>(IEnumerable<T> items, string sql, string first, string second, Func<T, (string, string)> values)
        {
            using var insert = Command(connection, transaction, sql);
            AddParameter(insert, "@id", id);
            var a = AddParameter(insert, first, null);
            var b = AddParameter(insert, second, null);
            foreach (var item in items)
            {
                (a.Value, b.Value) = values(item);
                insert.ExecuteNonQuery();
            }
        }

        if (image.Tags.Count > 0)
            InsertEach(image.Tags, "INSERT INTO image_tags (image_id, value, value_folded) VALUES (@id, @value, @folded)",
                "@value", "@folded", tag => (tag, WildcardPattern.Fold(tag)));
        if (image.Properties.Count > 0)
            InsertEach(image.Properties, "INSERT INTO image_properties (image_id, name, value) VALUES (@id, @name, @value)",
                "@name", "@value", property => (property.Key, property.Value));
        if (image.Locations.Count > 0)
            InsertEach(image.Locations, "INSERT INTO image_locations (image_id, url, status) VALUES (@id, @url, @status)",
                "@url", "@status", location => (location.Url, location.Status));
    }

    /// <summary>Why a compare-and-swap found no row: gone (not found), in another status, or changed by another command (conflict).</summary>
    private ImagePsException SaveFailure(DbConnection connection, DbTransaction transaction, Image image, ImageStatus expected)
    {
        using var select = Command(connection, transaction, "SELECT status, deleted FROM images WHERE id = @id");
        AddParameter(select, "@id", Dialect.Id(image.Id));
        using var reader = select.ExecuteReader();
        if (!reader.Read() || Dialect.ReadFlag(reader, 1)) return ImageErrors.NotFound(image.Id);
        var actual = GlanceNames.ParseStatus(reader.GetString(0));
        return actual == expected ? ImageErrors.ChangedConcurrently(image) : ImageErrors.StatusConflict(image, expected, actual);
    }

    /// <summary>True when the id is or ever was in the catalog: ids are never reused.</summary>
    private bool EverExisted(DbConnection connection, DbTransaction transaction, Guid id)
    {
        using var select = Command(connection, transaction, "SELECT 1 FROM images WHERE id = @id");
        AddParameter(select, "@id", Dialect.Id(id));
        return select.ExecuteScalar() is not null;
    }

    // --- connections and commands -------------------------------------------------------------------

    /// <summary>Runs <paramref name="work"/> in a read transaction (one snapshot); provider errors become <see cref="Unavailable"/>.</summary>
    internal T Read<T>(Func<DbConnection, DbTransaction, T> work) => Run(Dialect.BeginRead, work);

    /// <summary>Runs <paramref name="work"/> in a write transaction and commits it; any exception rolls it back.</summary>
    internal void Write(Action<DbConnection, DbTransaction> work) => Run<object?>(Dialect.BeginWrite, (connection, transaction) =>
    {
        work(connection, transaction);
        return null;
    });

    private T Run<T>(Func<DbConnection, DbTransaction> begin, Func<DbConnection, DbTransaction, T> work)
    {
        DbConnection? connection = null;
        try
        {
            connection = OpenConnection();
            using var transaction = begin(connection);
            var result = work(connection, transaction);
            transaction.Commit();
            return result;
        }
        catch (DbException e)
        {
            throw Unavailable(e, connection);
        }
        finally
        {
            connection?.Dispose();
        }
    }

    internal static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    /// <summary>Adds a parameter; null becomes SQL NULL.</summary>
    internal static DbParameter AddParameter(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
