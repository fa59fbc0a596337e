using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Data.Sqlite;

namespace ImagePs.Catalog;

/// <summary>
/// Memberships in the embedded catalog: table <c>image_members</c> of the same SQLite file, through
/// the image catalog's connections (same busy timeout and pragmas).
/// </summary>
internal sealed class SqliteImageMemberRepository : IImageMemberRepository
{
    private const string Columns = "image_id, member, status, created_at, updated_at";

    private readonly SqliteImageRepository _catalog;
    private readonly Func<DateTime> _utcNow;

    public SqliteImageMemberRepository(SqliteImageRepository catalog, Func<DateTime>? utcNow = null)
    {
        _catalog = catalog;
        _utcNow = utcNow ?? (() => DateTime.UtcNow);
    }

    public void Add(Image image, ImageMember member)
    {
        _catalog.Write(connection =>
        {
            using var transaction = connection.BeginTransaction();
            if (Select(connection, transaction, image.Id, member.MemberId) is not null)
                throw ImageErrors.MemberExists(image, member.MemberId);
            using var insert = SqliteImageRepository.Command(connection, transaction,
                $"INSERT INTO image_members ({Columns}) VALUES (@image_id, @member, @status, @created_at, @updated_at)");
            var now = _utcNow();
            insert.Parameters.AddWithValue("@image_id", SqliteImageRepository.Key(image.Id));
            insert.Parameters.AddWithValue("@member", member.MemberId);
            insert.Parameters.AddWithValue("@status", GlanceNames.Of(member.Status));
            insert.Parameters.AddWithValue("@created_at", SqliteImageRepository.FormatTime(member.CreatedAt));
            insert.Parameters.AddWithValue("@updated_at", SqliteImageRepository.FormatTime(now));
            insert.ExecuteNonQuery();
            transaction.Commit();
            member.MarkPersisted(now);
        });
    }

    public ImageMember? Find(Image image, string memberId) => _catalog.Read(connection =>
    {
        using var transaction = connection.BeginTransaction(deferred: true);
        return Select(connection, transaction, image.Id, memberId);
    });

    public IReadOnlyList<ImageMember> List(Image image) => _catalog.Read(connection =>
    {
        using var transaction = connection.BeginTransaction(deferred: true);
        using var select = SqliteImageRepository.Command(connection, transaction,
            $"SELECT {Columns} FROM image_members WHERE image_id = @image_id ORDER BY created_at, member");
        select.Parameters.AddWithValue("@image_id", SqliteImageRepository.Key(image.Id));
        return ReadAll(select);
    });

    public ISet<Guid> ImagesSharedWith(string memberId, IReadOnlyCollection<ImageMemberStatus>? statuses) => _catalog.Read(connection =>
    {
        var statusNames = statuses?.Distinct().Select(GlanceNames.Of).ToList();
        if (statusNames is { Count: 0 }) return new HashSet<Guid>();
        var sql = "SELECT image_id FROM image_members WHERE member = @member";
        if (statusNames is not null)
            sql += " AND status IN (" + string.Join(", ", statusNames.Select((_, i) => "@s" + i)) + ")";
        using var transaction = connection.BeginTransaction(deferred: true);
        using var select = SqliteImageRepository.Command(connection, transaction, sql);
        select.Parameters.AddWithValue("@member", memberId);
        for (var i = 0; i < (statusNames?.Count ?? 0); i++) select.Parameters.AddWithValue("@s" + i, statusNames![i]);
        var ids = new HashSet<Guid>();
        using var reader = select.ExecuteReader();
        while (reader.Read()) ids.Add(Guid.Parse(reader.GetString(0)));
        return (ISet<Guid>)ids;
    });

    public void Save(Image image, ImageMember member)
    {
        _catalog.Write(connection =>
        {
            using var transaction = connection.BeginTransaction();
            using var update = SqliteImageRepository.Command(connection, transaction,
                "UPDATE image_members SET status = @status, updated_at = @updated_at WHERE image_id = @image_id AND member = @member");
            var now = _utcNow();
            update.Parameters.AddWithValue("@image_id", SqliteImageRepository.Key(image.Id));
            update.Parameters.AddWithValue("@member", member.MemberId);
            update.Parameters.AddWithValue("@status", GlanceNames.Of(member.Status));
            update.Parameters.AddWithValue("@updated_at", SqliteImageRepository.FormatTime(now));
            if (update.ExecuteNonQuery() == 0) throw ImageErrors.MemberNotFound(image, member.MemberId);
            transaction.Commit();
            member.MarkPersisted(now);
        });
    }

    public void Remove(Image image, ImageMember member)
    {
        _catalog.Write(connection =>
        {
            using var transaction = connection.BeginTransaction();
            using var delete = SqliteImageRepository.Command(connection, transaction,
                "DELETE FROM image_members WHERE image_id = @image_id AND member = @member");
            delete.Parameters.AddWithValue("@image_id", SqliteImageRepository.Key(image.Id));
            delete.Parameters.AddWithValue("@member", member.MemberId);
            if (delete.ExecuteNonQuery() == 0) throw ImageErrors.MemberNotFound(image, member.MemberId);
            transaction.Commit();
        });
    }

    private static ImageMember? Select(SqliteConnection connection, SqliteTransaction transaction, Guid imageId, string memberId)
    {
        using var select = SqliteImageRepository.Command(connection, transaction,
            $"SELECT {Columns} FROM image_members WHERE image_id = @image_id AND member = @member");
        select.Parameters.AddWithValue("@image_id", SqliteImageRepository.Key(imageId));
        select.Parameters.AddWithValue("@member", memberId);
        return ReadAll(select).FirstOrDefault();
    }

    private static List<ImageMember> ReadAll(SqliteCommand select)
    {
        var members = new List<ImageMember>();
        using var reader = select.ExecuteReader();
        while (reader.Read())
        {
            members.Add(new ImageMember(
                Guid.Parse(reader.GetString(0)),
                reader.GetString(1),
                GlanceNames.ParseMemberStatus(reader.GetString(2)),
                SqliteImageRepository.ParseTime(reader.GetString(3)),
                SqliteImageRepository.ParseTime(reader.GetString(4))));
        }
        return members;
    }
}
