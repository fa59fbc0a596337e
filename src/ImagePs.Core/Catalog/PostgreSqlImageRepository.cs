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
    /// </summary>
    /// <param name="settingsPath">The settings file the connection string came from, for a bad connection string.</param>
    public static PostgreSqlImageRepository Open(string connectionString, string settingsPath, Func<DateTime>? utcNow = null)
    {
        var repository = new PostgreSqlImageRepository(PostgreSqlConnections.Parse(connectionString, settingsPath), utcNow);
        try
        {
            using var connection = repository.Connections.Open();
            PostgreSqlCatalogSchema.Migrate(connection, repository.Connections.Description);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw repository.Connections.Unavailable(e);
        }
        return repository;
    }

    /// <summary>
    /// Keyset pages: each page is one short read transaction (<see cref="SqlImageRepository.PageSize"/>
    /// images and their children) that starts after the last image of the previous page in the
    /// listing order (created_at, id), an index range scan. No transaction or connection is held
    /// while the caller works through a page, however slowly: a shared server never keeps old row
    /// versions alive for a PowerShell pipeline. Each image is listed at most once; one added while
    /// the listing runs is listed only if it sorts after the page being read.
    /// </summary>
    public override IEnumerable<Image> List(ImageQuery query)
    {
        var filter = new ImageQueryFilter(query, Dialect);
        DateTime? afterCreated = null;
        Guid? afterId = null;
        while (true)
        {
            var where = filter.Where + (afterId is null ? "" : " AND (created_at, id) > (@after_created, @after_id)");
            var page = ReadPage(where + " ORDER BY created_at, id LIMIT " + PageSize, command =>
            {
                filter.Bind(command);
                if (afterId is not Guid after) return;
                AddParameter(command, "@after_created", Dialect.Time(afterCreated!.Value));
                AddParameter(command, "@after_id", Dialect.Id(after));
            });
            foreach (var image in page)
            {
                if (filter.Matches(image)) yield return image;
            }
            if (page.Count < PageSize) yield break;
            afterCreated = page[page.Count - 1].CreatedAt;
            afterId = page[page.Count - 1].Id;
        }
    }

    internal override DbConnection OpenConnection() => Connections.Open();

    protected override ImagePsException Unavailable(DbException error, DbConnection? connection) => Connections.Unavailable(error);

    public override string ToString() => Connections.Identity;
}
