using System;
using System.Data;
using System.Data.Common;
using System.Globalization;
using Npgsql;

namespace ImagePs.Catalog;

/// <summary>
/// PostgreSQL's column types: uuid ids, timestamptz times (microseconds, UTC), boolean flags; names
/// pre-filtered with LIKE over the folded name (a <c>text_pattern_ops</c> index serves prefixes);
/// reads in REPEATABLE READ transactions (one snapshot for an image and its tags, properties and
/// locations), writes in READ COMMITTED, where a conditional UPDATE that lost a race to another
/// host's UPDATE re-checks the new row and changes nothing: the compare-and-swap holds across hosts.
/// </summary>
internal sealed class PostgreSqlDialect : SqlDialect
{
    public static PostgreSqlDialect Instance { get; } = new();

    public override object Id(Guid id) => id;

    public override Guid ReadId(DbDataReader reader, int ordinal) => reader.GetGuid(ordinal);

    public override object Time(DateTime utc) => utc.Kind == DateTimeKind.Utc ? utc : DateTime.SpecifyKind(utc.ToUniversalTime(), DateTimeKind.Utc);

    public override DateTime ReadTime(DbDataReader reader, int ordinal) => DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc);

    public override object Flag(bool value) => value;

    public override bool ReadFlag(DbDataReader reader, int ordinal) => reader.GetBoolean(ordinal);

    public override string NameMatches(string column, string parameter) => $"{column} LIKE {parameter}";

    public override string NamePrefilter(WildcardPattern pattern) => pattern.ToLikePrefilter();

    public override string NullSafeEquals(string column, string parameter) => $"{column} IS NOT DISTINCT FROM {parameter}";

    /// <summary>
    /// PostgreSQL sorts nulls last ascending: nullable terms say NULLS FIRST/LAST (their indexes are
    /// built that way); NOT NULL terms say nothing, so the plain indexes serve them.
    /// </summary>
    public override string OrderTerm(string expression, bool descending, bool nullable) =>
        expression + (descending ? " DESC" : "") + (nullable ? (descending ? " NULLS LAST" : " NULLS FIRST") : "");

    /// <summary>The "C" collation compares bytes of UTF-8: code point order.</summary>
    public override string OrdinalText(string column) => column + " COLLATE \"C\"";

    public override string LimitOffset(long? first, long skip) =>
        first is null && skip == 0 ? "" : FormattableString.Invariant($"LIMIT {(first is long f ? f.ToString(CultureInfo.InvariantCulture) : "ALL")} OFFSET {skip}");

    public override DbTransaction BeginRead(DbConnection connection) => connection.BeginTransaction(IsolationLevel.RepeatableRead);

    public override DbTransaction BeginWrite(DbConnection connection) => connection.BeginTransaction(IsolationLevel.ReadCommitted);

    /// <summary>
    /// A transaction-scoped advisory lock on (a fixed class, the owner's hash); the two-key lock space
    /// does not overlap the one-key locks of the upload leases.
    /// </summary>
    public override void LockOwnerUsage(DbConnection connection, DbTransaction transaction, string? owner)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT pg_advisory_xact_lock({OwnerUsageLockClass}, hashtext(@owner))";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@owner";
        parameter.Value = owner ?? "";
        command.Parameters.Add(parameter);
        command.ExecuteNonQuery();
    }

    private const int OwnerUsageLockClass = 0x496D5175; // "ImQu"

    public override bool IsUniqueViolation(DbException error) => error is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}
