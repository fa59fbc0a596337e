using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Linq;
using ImagePs.Domain;

namespace ImagePs.Catalog;

/// <summary>
/// An image's whole record as a catalog keeps it, deleted or not: the image with its tags,
/// properties and locations, whether and when it was deleted, and its memberships.
/// </summary>
internal sealed class CatalogRecord
{
    public CatalogRecord(Image image, bool deleted, DateTime? deletedAt, IReadOnlyList<ImageMember> members)
    {
        Image = image;
        Deleted = deleted;
        DeletedAt = deletedAt;
        Members = members;
    }

    public Image Image { get; }
    public bool Deleted { get; }
    public DateTime? DeletedAt { get; }
    public IReadOnlyList<ImageMember> Members { get; }
}

/// <summary>
/// Whole records of a SQL catalog, for copying one catalog into another (Copy-ImageRepository):
/// every row in creation order, deleted ones included (so their ids stay used), and written back
/// exactly as they were, times and all. Not through the layers: this is the repository's own
/// administration, not a caller's change.
/// </summary>
internal sealed class CatalogRecords
{
    private const string RecordColumns = SqlImageRepository.ImageColumns + ", deleted, deleted_at";

    private readonly SqlImageRepository _catalog;

    public CatalogRecords(SqlImageRepository catalog)
    {
        _catalog = catalog;
    }

    private SqlDialect Dialect => _catalog.Dialect;

    /// <summary>Every record, oldest first, read a page at a time (keyset on created_at, id).</summary>
    public IEnumerable<CatalogRecord> ReadAll()
    {
        DateTime? afterCreated = null;
        Guid? afterId = null;
        while (true)
        {
            var page = _catalog.Read((connection, transaction) =>
            {
                var where = afterId is null ? "" : "WHERE (created_at, id) > (@after_created, @after_id) ";
                return Select(connection, transaction, where + "ORDER BY created_at, id LIMIT 256", command =>
                {
                    if (afterId is not Guid after) return;
                    SqlImageRepository.AddParameter(command, "@after_created", Dialect.Time(afterCreated!.Value));
                    SqlImageRepository.AddParameter(command, "@after_id", Dialect.Id(after));
                });
            });
            foreach (var record in page) yield return record;
            if (page.Count < 256) yield break;
            afterCreated = page[page.Count - 1].Image.CreatedAt;
            afterId = page[page.Count - 1].Image.Id;
        }
    }

    /// <summary>The record of <paramref name="id"/>, deleted or not; null when the id was never used.</summary>
    public CatalogRecord? Find(Guid id) => _catalog.Read((connection, transaction) =>
        Select(connection, transaction, "WHERE id = @id", command => SqlImageRepository.AddParameter(command, "@id", Dialect.Id(id))))
        .SingleOrDefault();

    /// <summary>Writes the record as it is, in one transaction; false when the catalog already has the id.</summary>
    public bool Import(CatalogRecord record)
    {
        var image = record.Image;
        var imported = true;
        try
        {
            Insert();
        }
        catch (ImportRaceException)
        {
            return false; // imported by another copy meanwhile; this transaction was rolled back
        }
        return imported;

        void Insert() => _catalog.Write((connection, transaction) =>
        {
            using (var exists = SqlImageRepository.Command(connection, transaction, "SELECT 1 FROM images WHERE id = @id"))
            {
                SqlImageRepository.AddParameter(exists, "@id", Dialect.Id(image.Id));
                if (exists.ExecuteScalar() is not null)
                {
                    imported = false;
                    return;
                }
            }
            using (var insert = SqlImageRepository.Command(connection, transaction,
                       $"INSERT INTO images ({RecordColumns}, name_folded) VALUES ({SqlImageRepository.ImageValues}, @deleted, @deleted_at, @name_folded)"))
            {
                Bind(insert, record);
                try
                {
                    insert.ExecuteNonQuery();
                }
                catch (DbException e) when (Dialect.IsUniqueViolation(e))
                {
                    throw new ImportRaceException();
                }
            }
            _catalog.WriteChildren(connection, transaction, image);
            foreach (var member in record.Members)
                SqlImageMemberRepository.Insert(connection, transaction, Dialect, image.Id, member, member.UpdatedAt);
        });
    }

    private void Bind(DbCommand insert, CatalogRecord record)
    {
        var image = record.Image;
        void Add(string name, object? value) => SqlImageRepository.AddParameter(insert, name, value);
        Add("@id", Dialect.Id(image.Id));
        Add("@name", image.Name);
        Add("@name_folded", image.Name is null ? null : WildcardPattern.Fold(image.Name));
        Add("@status", GlanceNames.Of(image.Status));
        Add("@disk_format", image.DiskFormat);
        Add("@container_format", image.ContainerFormat);
        Add("@visibility", GlanceNames.Of(image.Visibility));
        Add("@protected", Dialect.Flag(image.Protected));
        Add("@hidden", Dialect.Flag(image.Hidden));
        Add("@size", image.Size);
        Add("@virtual_size", image.VirtualSize);
        Add("@checksum", image.Checksum);
        Add("@os_hash_algo", image.OsHashAlgo);
        Add("@os_hash_value", image.OsHashValue);
        Add("@min_disk", image.MinDisk);
        Add("@min_ram", image.MinRam);
        Add("@owner", image.Owner);
        Add("@created_at", Dialect.Time(CatalogTime.Truncate(image.CreatedAt)));
        Add("@updated_at", Dialect.Time(CatalogTime.Truncate(image.UpdatedAt)));
        Add("@status_before_delete", image.StatusBeforeDelete is ImageStatus before ? GlanceNames.Of(before) : null);
        Add("@pending_delete_at", image.PendingDeleteAt is DateTime pending ? Dialect.Time(CatalogTime.Truncate(pending)) : null);
        Add("@deleted", Dialect.Flag(record.Deleted));
        Add("@deleted_at", record.DeletedAt is DateTime at ? Dialect.Time(CatalogTime.Truncate(at)) : null);
    }

    private List<CatalogRecord> Select(DbConnection connection, DbTransaction transaction, string whereAndOrder, Action<DbCommand> bind)
    {
        var rows = new List<(Image Image, bool Deleted, DateTime? DeletedAt)>();
        using (var select = SqlImageRepository.Command(connection, transaction, $"SELECT {RecordColumns} FROM images {whereAndOrder}"))
        {
            bind(select);
            using var reader = select.ExecuteReader();
            while (reader.Read())
                rows.Add((_catalog.ReadImage(reader), Dialect.ReadFlag(reader, SqlImageRepository.ImageColumnCount),
                    reader.IsDBNull(SqlImageRepository.ImageColumnCount + 1) ? null : Dialect.ReadTime(reader, SqlImageRepository.ImageColumnCount + 1)));
        }
        var images = rows.Select(r => r.Image).ToList();
        _catalog.LoadChildren(connection, transaction, images);

        var members = images.ToDictionary(i => i.Id, _ => new List<ImageMember>());
        if (images.Count > 0)
        {
            var ids = string.Join(", ", images.Select((_, i) => "@m" + i));
            using var select = SqlImageRepository.Command(connection, transaction,
                $"SELECT {SqlImageMemberRepository.Columns} FROM image_members WHERE image_id IN ({ids}) ORDER BY created_at, member");
            for (var i = 0; i < images.Count; i++) SqlImageRepository.AddParameter(select, "@m" + i, Dialect.Id(images[i].Id));
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                var member = SqlImageMemberRepository.ReadMember(reader, Dialect);
                members[member.ImageId].Add(member);
            }
        }
        return rows.Select(r => new CatalogRecord(r.Image, r.Deleted, r.DeletedAt, members[r.Image.Id])).ToList();
    }

    /// <summary>Another copy imported the same id between the check and the insert.</summary>
    private sealed class ImportRaceException : Exception
    {
    }
}
