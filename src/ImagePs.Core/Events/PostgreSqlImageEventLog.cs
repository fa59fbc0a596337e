using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using ImagePs.Catalog;
using Npgsql;
using NpgsqlTypes;

namespace ImagePs.Events;

/// <summary>
/// The events of a PostgreSQL catalog: rows of its <c>image_events</c> table, so every host sharing
/// the catalog sees every host's events. Each row keeps the event's JSON line as written (the same
/// bytes the file log would hold) beside the columns it is found by: its time, type, image and the
/// order it was written in (<c>id</c>). Reads go in keyset pages (no transaction held while the
/// caller works), newest first through the primary key for <c>-Last</c>; the image and time filters
/// use their indexes.
/// </summary>
internal sealed class PostgreSqlImageEventLog : IImageEventLog
{
    private const int PageSize = 500;

    private readonly PostgreSqlConnections _connections;
    private readonly int _maxAgeDays;

    public PostgreSqlImageEventLog(PostgreSqlConnections connections, int maxAgeDays)
    {
        _connections = connections;
        _maxAgeDays = maxAgeDays;
    }

    public string Location => string.Format(Messages.PostgreSqlEventLogDescription, _connections.Description);

    public void Append(byte[] jsonLine)
    {
        var item = ImageEventReader.Parse(jsonLine, out var error)
            ?? throw new ArgumentException(error ?? Messages.EventLineNotObject, nameof(jsonLine));
        try
        {
            using var connection = _connections.Open();
            using var command = new NpgsqlCommand(
                "INSERT INTO image_events (occurred_at, event_type, image_id, line) VALUES (@occurred_at, @event_type, @image_id, @line)", connection);
            command.Parameters.AddWithValue("@occurred_at", NpgsqlDbType.TimestampTz, item.Timestamp);
            command.Parameters.AddWithValue("@event_type", item.EventType);
            command.Parameters.AddWithValue("@image_id", NpgsqlDbType.Uuid, (object?)item.ImageId ?? DBNull.Value);
            command.Parameters.AddWithValue("@line", Encoding.UTF8.GetString(jsonLine));
            if (_maxAgeDays > 0)
            {
                command.CommandText += "; DELETE FROM image_events WHERE occurred_at < @cutoff";
                command.Parameters.AddWithValue("@cutoff", NpgsqlDbType.TimestampTz, DateTime.UtcNow.AddDays(-_maxAgeDays));
            }
            command.ExecuteNonQuery();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            // The notifier reports an event it cannot write as a warning; the message names no secret.
            throw new IOException(_connections.Unavailable(e).Message, e);
        }
    }

    public IEnumerable<ImageEvent> Forward(ImageEventQuery query, Action<string> invalid) => Pages(query, newestFirst: false, invalid);

    public IEnumerable<ImageEvent> Backward(ImageEventQuery query, Action<string> invalid) => Pages(query, newestFirst: true, invalid);

    private IEnumerable<ImageEvent> Pages(ImageEventQuery query, bool newestFirst, Action<string> invalid)
    {
        long? after = null;
        var limit = newestFirst && query.Last is { } last ? Math.Max(1, Math.Min(last, PageSize)) : PageSize;
        while (true)
        {
            var page = ReadPage(query, newestFirst, after, limit);
            foreach (var (id, line) in page)
            {
                var item = ImageEventReader.Parse(Encoding.UTF8.GetBytes(line), out var error);
                if (error is not null) invalid(string.Format(Messages.EventLineInvalid, Location, id, error));
                if (item is not null) yield return item;
            }
            if (page.Count < limit) yield break;
            after = page[page.Count - 1].Id;
            limit = PageSize;
        }
    }

    private List<(long Id, string Line)> ReadPage(ImageEventQuery query, bool newestFirst, long? after, int limit)
    {
        var where = new List<string>();
        try
        {
            using var connection = _connections.Open();
            using var command = new NpgsqlCommand { Connection = connection };
            if (query.ImageIds is { Count: > 0 } ids)
            {
                where.Add("image_id = ANY(@ids)");
                command.Parameters.AddWithValue("@ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid, ids.Distinct().ToArray());
            }
            if (query.Since is { } since)
            {
                where.Add("occurred_at >= @since");
                command.Parameters.AddWithValue("@since", NpgsqlDbType.TimestampTz, Microseconds(since.ToUniversalTime()));
            }
            if (query.Until is { } until)
            {
                where.Add("occurred_at <= @until");
                command.Parameters.AddWithValue("@until", NpgsqlDbType.TimestampTz, until.ToUniversalTime());
            }
            if (after is { } key)
            {
                where.Add(newestFirst ? "id < @after" : "id > @after");
                command.Parameters.AddWithValue("@after", key);
            }
            command.CommandText = "SELECT id, line FROM image_events" + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "")
                + (newestFirst ? " ORDER BY id DESC" : " ORDER BY id") + " LIMIT " + limit;
            using var reader = command.ExecuteReader();
            var page = new List<(long, string)>();
            while (reader.Read()) page.Add((reader.GetInt64(0), reader.GetString(1)));
            return page;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw _connections.Unavailable(e);
        }
    }

    /// <summary>PostgreSQL keeps microseconds: rounded down, a lower bound still includes the event at that time.</summary>
    private static DateTime Microseconds(DateTime value) => new(value.Ticks - value.Ticks % 10, DateTimeKind.Utc);
}
