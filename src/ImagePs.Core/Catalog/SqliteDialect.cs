using System;
using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace ImagePs.Catalog;

/// <summary>
/// SQLite's column types in the embedded catalog: ids as text, times as fixed-width ISO 8601 text
/// (which sorts like the time), flags as 0/1; names pre-filtered with GLOB (case-sensitive, over the
/// folded name); reads in deferred and writes in immediate transactions (one writer at a time).
/// </summary>
internal sealed class SqliteDialect : SqlDialect
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static SqliteDialect Instance { get; } = new();

    public override object Id(Guid id) => Key(id);

    public override Guid ReadId(DbDataReader reader, int ordinal) => Guid.Parse(reader.GetString(ordinal));

    public override object Time(DateTime utc) => FormatTime(utc);

    public override DateTime ReadTime(DbDataReader reader, int ordinal) => ParseTime(reader.GetString(ordinal));

    public override object Flag(bool value) => value ? 1L : 0L;

    public override bool ReadFlag(DbDataReader reader, int ordinal) => reader.GetInt64(ordinal) != 0;

    public override string NameMatches(string column, string parameter) => $"{column} GLOB {parameter}";

    public override string NamePrefilter(WildcardPattern pattern) => pattern.ToGlobPrefilter();

    public override string NullSafeEquals(string column, string parameter) => $"{column} IS {parameter}";

    /// <summary>SQLite sorts nulls first ascending and last descending already.</summary>
    public override string OrderTerm(string expression, bool descending, bool nullable) => descending ? expression + " DESC" : expression;

    /// <summary>
    /// sqlite_stat1 counts NULLs as one value: while most images have no checksum yet, it says a
    /// checksum matches nearly every row, and SQLite walks 100,000 rows in listing order looking
    /// for it (200 ms) instead of searching images_checksum (under 1 ms). likelihood() overrides the estimate.
    /// </summary>
    public override string Selective(string condition) => $"likelihood({condition}, 0.0001)";

    public override string Likely(string condition, double share) =>
        FormattableString.Invariant($"likelihood({condition}, {Math.Clamp(share, 0.0, 1.0):0.######})");

    public override string LimitOffset(long? first, long skip) =>
        first is null && skip == 0 ? "" : FormattableString.Invariant($"LIMIT {first ?? -1} OFFSET {skip}");

    public override DbTransaction BeginRead(DbConnection connection) => ((SqliteConnection)connection).BeginTransaction(deferred: true);

    public override DbTransaction BeginWrite(DbConnection connection) => connection.BeginTransaction();

    /// <summary>Nothing to do: a write transaction is immediate, so it already holds the only write lock.</summary>
    public override void LockOwnerUsage(DbConnection connection, DbTransaction transaction, string? owner)
    {
    }

    /// <summary>SQLITE_CONSTRAINT_PRIMARYKEY (1555) or SQLITE_CONSTRAINT_UNIQUE (2067).</summary>
    public override bool IsUniqueViolation(DbException error) =>
        error is SqliteException { SqliteExtendedErrorCode: 1555 or 2067 };

    internal static string Key(Guid id) => id.ToString("D");

    internal static string FormatTime(DateTime value) => value.ToUniversalTime().ToString(TimeFormat, CultureInfo.InvariantCulture);

    internal static DateTime ParseTime(string value) =>
        DateTime.ParseExact(value, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
}
