using System;
using System.Collections.Generic;
using System.Data.Common;
using Npgsql;

namespace ImagePs.Catalog;

/// <summary>
/// The catalog on a PostgreSQL server, for a team whose hosts share one catalog: the statements,
/// paging and compare-and-swap saves of <see cref="SqlImageRepository"/> (the same as the embedded
/// catalog's), PostgreSQL's types, pooled connections, migrations on open. The connection string
/// never leaves this class and <see cref="PostgreSqlConnections"/>: messages name the database,
/// host, port and user only.
/// </summary>
internal sealed class PostgreSqlImageRepository : SqlImageRepository
{
    private PostgreSqlImageRepository(PostgreSqlConnections connections, Func<DateTime>? utcNow)
        : base(PostgreSqlDialect.Instance, utcNow)
    {
        Connections = connections;
    }

    internal PostgreSqlConnections Connections { get; }

    /// <summary>
    /// Connects, creating or migrating the schema when needed. A server that cannot be reached is
    /// <c>CatalogUnavailable</c>; a schema written by a newer ImagePs is <c>CatalogSchemaTooNew</c>.
    /// With <paramref name="readOnly"/> (tab completion) the schema is only checked, never created
    /// or migrated: one that would need a migration is <c>CatalogUnavailable</c>.
    /// </summary>
    /// <param name="settingsPath">The settings file the connection string came from, for a bad connection string.</param>
    public static PostgreSqlImageRepository Open(string connectionString, string settingsPath, Func<DateTime>? utcNow = null, bool readOnly = false)
    {
        var repository = new PostgreSqlImageRepository(PostgreSqlConnections.Parse(connectionString, settingsPath), utcNow) { _writable = !readOnly };
        try
        {
            using var connection = repository.Connections.Open();
            if (readOnly) PostgreSqlCatalogSchema.RequireCurrent(connection, repository.Connections.Description);
            else PostgreSqlCatalogSchema.Migrate(connection, repository.Connections.Description);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw repository.Connections.Unavailable(e);
        }
        return repository;
    }

    /// <summary>False when opened only to be read; then nothing that writes may run.</summary>
    internal override bool IsWritable => _writable;

    private bool _writable = true;

    /// <summary>
    /// Pages of at most <see cref="SqlImageRepository.PageSize"/> images, each one short read
    /// transaction (the images and their children). In the default order (created_at, id, either
    /// direction) the pages are keyset pages: each starts after the last image of the previous page,
    /// an index range scan; each image is listed at most once, and one added while the listing runs
    /// is listed only if it sorts after the page being read. Other orders page by OFFSET. No
    /// transaction or connection is held while the caller works through a page, however slowly: a
    /// shared server never keeps old row versions alive for a PowerShell pipeline. The query's own
    /// Skip and First become the first page's OFFSET and the last page's LIMIT.
    /// </summary>
    public override IEnumerable<Image> List(ImageQuery query)
    {
        var filter = Filter(query);
        return CutPage(Pages(filter), filter);
    }

    private IEnumerable<Image> Pages(ImageQueryFilter filter)
    {
        var query = filter.Query;
        var keyset = query.SortBy == ImageSortKey.CreatedAt;
        var remaining = filter.PagedByCatalog ? query.First ?? long.MaxValue : long.MaxValue;
        var offset = filter.PagedByCatalog ? query.Skip : 0;
        Image? last = null;
        while (remaining > 0)
        {
            var limit = Math.Min(PageSize, remaining);
            var where = filter.Where;
            if (keyset && last is not null) where += $" AND (created_at, id) {(query.Descending ? "<" : ">")} (@after_created, @after_id)";
            var after = last;
            var page = ReadPage($"{where} {filter.OrderBy} {Dialect.LimitOffset(limit, offset)}", command =>
            {
                filter.Bind(command);
                if (!keyset || after is null) return;
                AddParameter(command, "@after_created", Dialect.Time(after.CreatedAt));
                AddParameter(command, "@after_id", Dialect.Id(after.Id));
            });
            foreach (var image in page)
            {
                if (filter.Matches(image)) yield return image;
            }
            if (page.Count < limit) yield break;
            remaining -= page.Count;
            offset = keyset ? 0 : offset + page.Count;
            last = page[page.Count - 1];
        }
    }

    internal override DbConnection OpenConnection() => Connections.Open();

    protected override ImagePsException Unavailable(DbException error, DbConnection? connection) => Connections.Unavailable(error);

    public override string ToString() => Connections.Identity;
}
