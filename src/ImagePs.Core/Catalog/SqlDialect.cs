using System;
using System.Data.Common;

namespace ImagePs.Catalog;

/// <summary>
/// What differs between the SQL catalogs (SQLite, PostgreSQL) for the SQL they share: how ids, times
/// and flags are stored, how a name pattern is pre-filtered, how transactions begin, which errors are
/// duplicate keys. Everything else (statements, paging, compare-and-swap) is in <see cref="SqlImageRepository"/>.
/// </summary>
internal abstract class SqlDialect
{
    public abstract object Id(Guid id);

    public abstract Guid ReadId(DbDataReader reader, int ordinal);

    public abstract object Time(DateTime utc);

    public abstract DateTime ReadTime(DbDataReader reader, int ordinal);

    public abstract object Flag(bool value);

    public abstract bool ReadFlag(DbDataReader reader, int ordinal);

    /// <summary>A condition: the folded name column matches <paramref name="parameter"/>, a <see cref="NamePrefilter"/>.</summary>
    public abstract string NameMatches(string column, string parameter);

    /// <summary>A pattern the database can match with an index, matching at least what <paramref name="pattern"/> matches.</summary>
    public abstract string NamePrefilter(WildcardPattern pattern);

    /// <summary>A condition: <paramref name="column"/> equals <paramref name="parameter"/>, null equal to null.</summary>
    public abstract string NullSafeEquals(string column, string parameter);

    /// <summary>
    /// One ORDER BY term: a nullable column sorts its nulls first ascending and last descending
    /// (the whole order reversed), the same in every catalog.
    /// </summary>
    public abstract string OrderTerm(string expression, bool descending, bool nullable);

    /// <summary>A text column compared ordinally (code unit by code unit), whatever the database's collation.</summary>
    public virtual string OrdinalText(string column) => column;

    /// <summary>
    /// A condition that matches few rows whatever the statistics say (a hash lookup): the dialect may
    /// tell its planner so, so that it searches the condition's index instead of walking the listing order.
    /// </summary>
    public virtual string Selective(string condition) => condition;

    /// <summary>
    /// A condition true for about <paramref name="share"/> of the rows, as measured: the dialect may
    /// tell its planner, so that it chooses between searching the condition and walking the listing order.
    /// </summary>
    public virtual string Likely(string condition, double share) => condition;

    /// <summary>LIMIT/OFFSET for a page; empty for the whole listing.</summary>
    public abstract string LimitOffset(long? first, long skip);

    /// <summary>A transaction whose statements all see one snapshot.</summary>
    public abstract DbTransaction BeginRead(DbConnection connection);

    /// <summary>A transaction for changes; compare-and-swap saves rely on conditional UPDATEs inside it.</summary>
    public abstract DbTransaction BeginWrite(DbConnection connection);

    /// <summary>
    /// Serializes, until the transaction ends, the write transactions that check and change one
    /// owner's usage (quotas), so two of them cannot both pass a quota check.
    /// </summary>
    public abstract void LockOwnerUsage(DbConnection connection, DbTransaction transaction, string? owner);

    /// <summary>True when the error is a primary-key or unique violation (a concurrent insert of the same key).</summary>
    public abstract bool IsUniqueViolation(DbException error);

    public long ReadInteger(DbDataReader reader, int ordinal) => Convert.ToInt64(reader.GetValue(ordinal), System.Globalization.CultureInfo.InvariantCulture);
}
