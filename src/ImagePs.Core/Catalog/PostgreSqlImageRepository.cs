using System;
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

    internal override DbConnection OpenConnection() => Connections.Open();

    protected override ImagePsException Unavailable(DbException error) => Connections.Unavailable(error);

    public override string ToString() => Connections.Description;
}
