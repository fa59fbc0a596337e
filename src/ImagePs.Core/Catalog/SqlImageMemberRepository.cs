using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Linq;
using ImagePs.Domain;
using ImagePs.Errors;

namespace ImagePs.Catalog;

/// <summary>
/// Memberships in a SQL catalog: table <c>image_members</c>, through the image catalog's
/// connections and dialect, shared by the SQLite and the PostgreSQL catalogs.
/// </summary>
internal abstract class SqlImageMemberRepository : IImageMemberRepository
{
    /// <summary>The columns of a membership row, in the order <see cref="ReadMember"/> reads them.</summary>
    internal const string Columns = "image_id, member, status, created_at, updated_at";

    private readonly SqlImageRepository _catalog;
    private readonly Func<DateTime> _utcNow;

    protected SqlImageMemberRepository(SqlImageRepository catalog, Func<DateTime>? utcNow)
    {
        _catalog = catalog;
        _utcNow = utcNow ?? CatalogTime.UtcNow;
    }

    private SqlDialect Dialect => _catalog.Dialect;

    public void Add(Image image, ImageMember member)
    {
        var now = CatalogTime.Truncate(_utcNow());
        _catalog.Write((connection, transaction) =>
        {
            if (Select(connection, transaction, image.Id, member.MemberId) is not null)
                throw ImageErrors.MemberExists(image, member.MemberId);
            try
            {
                Insert(connection, transaction, Dialect, image.Id, member, now);
            }
            catch (DbException e) when (Dialect.IsUniqueViolation(e))
            {
                throw ImageErrors.MemberExists(image, member.MemberId); // added by another host since the check
            }
        });
        member.MarkPersisted(now);
    }

    public ImageMember? Find(Image image, string memberId) =>
        _catalog.Read((connection, transaction) => Select(connection, transaction, image.Id, memberId));

    public IReadOnlyList<ImageMember> List(Image image) => _catalog.Read((connection, transaction) =>
    {
        using var select = SqlImageRepository.Command(connection, transaction,
            $"SELECT {Columns} FROM image_members WHERE image_id = @image_id ORDER BY created_at, member");
        SqlImageRepository.AddParameter(select, "@image_id", Dialect.Id(image.Id));
        return ReadAll(select);
    });

    public ISet<Guid> ImagesSharedWith(string memberId, IReadOnlyCollection<ImageMemberStatus>? statuses)
    {
        var statusNames = statuses?.Distinct().Select(GlanceNames.Of).ToList();
        if (statusNames is { Count: 0 }) return new HashSet<Guid>();
        return _catalog.Read((connection, transaction) =>
        {
            var sql = "SELECT image_id FROM image_members WHERE member = @member";
            if (statusNames is not null)
                sql += " AND status IN (" + string.Join(", ", statusNames.Select((_, i) => "@s" + i)) + ")";
            using var select = SqlImageRepository.Command(connection, transaction, sql);
            SqlImageRepository.AddParameter(select, "@member", memberId);
            for (var i = 0; i < (statusNames?.Count ?? 0); i++) SqlImageRepository.AddParameter(select, "@s" + i, statusNames![i]);
            var ids = new HashSet<Guid>();
            using var reader = select.ExecuteReader();
            while (reader.Read()) ids.Add(Dialect.ReadId(reader, 0));
            return (ISet<Guid>)ids;
        });
    }

    public void Save(Image image, ImageMember member)
    {
        var now = CatalogTime.Truncate(_utcNow());
        _catalog.Write((connection, transaction) =>
        {
            using var update = SqlImageRepository.Command(connection, transaction,
                "UPDATE image_members SET status = @status, updated_at = @updated_at WHERE image_id = @image_id AND member = @member");
            SqlImageRepository.AddParameter(update, "@image_id", Dialect.Id(image.Id));
            SqlImageRepository.AddParameter(update, "@member", member.MemberId);
            SqlImageRepository.AddParameter(update, "@status", GlanceNames.Of(member.Status));
            SqlImageRepository.AddParameter(update, "@updated_at", Dialect.Time(now));
            if (update.ExecuteNonQuery() == 0) throw ImageErrors.MemberNotFound(image, member.MemberId);
        });
        member.MarkPersisted(now);
    }

    public void Remove(Image image, ImageMember member)
    {
        _catalog.Write((connection, transaction) =>
        {
            using var delete = SqlImageRepository.Command(connection, transaction,
                "DELETE FROM image_members WHERE image_id = @image_id AND member = @member");
            SqlImageRepository.AddParameter(delete, "@image_id", Dialect.Id(image.Id));
            SqlImageRepository.AddParameter(delete, "@member", member.MemberId);
            if (delete.ExecuteNonQuery() == 0) throw ImageErrors.MemberNotFound(image, member.MemberId);
        });
    }

    private ImageMember? Select(DbConnection connection, DbTransaction transaction, Guid imageId, string memberId)
    {
        using var select = SqlImageRepository.Command(connection, transaction,
            $"SELECT {Columns} FROM image_members WHERE image_id = @image_id AND member = @member");
        SqlImageRepository.AddParameter(select, "@image_id", Dialect.Id(imageId));
        SqlImageRepository.AddParameter(select, "@member", memberId);
        return ReadAll(select).FirstOrDefault();
    }

    /// <summary>Writes one membership row, its creation time as the member has it: Add-ImageMember, and the catalog copy.</summary>
    internal static void Insert(DbConnection connection, DbTransaction transaction, SqlDialect dialect, Guid imageId, ImageMember member, DateTime updatedAt)
    {
        using var insert = SqlImageRepository.Command(connection, transaction,
            $"INSERT INTO image_members ({Columns}) VALUES (@image_id, @member, @status, @created_at, @updated_at)");
        SqlImageRepository.AddParameter(insert, "@image_id", dialect.Id(imageId));
        SqlImageRepository.AddParameter(insert, "@member", member.MemberId);
        SqlImageRepository.AddParameter(insert, "@status", GlanceNames.Of(member.Status));
        SqlImageRepository.AddParameter(insert, "@created_at", dialect.Time(member.CreatedAt));
        SqlImageRepository.AddParameter(insert, "@updated_at", dialect.Time(updatedAt));
        insert.ExecuteNonQuery();
    }

    /// <summary>The membership in the reader's current row of <see cref="Columns"/>.</summary>
    internal static ImageMember ReadMember(DbDataReader reader, SqlDialect dialect) => new(
        dialect.ReadId(reader, 0),
        reader.GetString(1),
        GlanceNames.ParseMemberStatus(reader.GetString(2)),
        dialect.ReadTime(reader, 3),
        dialect.ReadTime(reader, 4));

    private List<ImageMember> ReadAll(DbCommand select)
    {
        var members = new List<ImageMember>();
        using var reader = select.ExecuteReader();
        while (reader.Read()) members.Add(ReadMember(reader, Dialect));
        return members;
    }
}
