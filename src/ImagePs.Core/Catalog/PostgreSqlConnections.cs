using System;
using System.Text.RegularExpressions;
using ImagePs.Errors;
using Npgsql;

namespace ImagePs.Catalog;

/// <summary>
/// Connections to the catalog's server: pooled ones (Npgsql keeps one pool per connection string for
/// the whole process, so the cmdlets of a session share warm connections) and unpooled ones for
/// upload leases; and how the server is named in messages: database, host, port and user, never the
/// password or the connection string itself. Only NpgsqlConnection is used, not NpgsqlDataSource:
/// Npgsql's netstandard2.0 build defines DbDataSource itself while its net8.0 build takes .NET's, so
/// code compiled against one fails to load with the other.
/// </summary>
internal sealed class PostgreSqlConnections
{
    private static readonly Regex PasswordValue = new(@"(?i)(?:^|;)\s*(?:password|pwd)\s*=\s*(""[^""]*""|'[^']*'|[^;]*)", RegexOptions.CultureInvariant);

    private readonly string _connectionString;
    private readonly string _leaseConnectionString;
    private readonly string? _password;

    private PostgreSqlConnections(NpgsqlConnectionStringBuilder builder, string raw)
    {
        if (string.IsNullOrEmpty(builder.ApplicationName)) builder.ApplicationName = "ImagePs";
        _connectionString = builder.ConnectionString;
        _password = builder.Password is { Length: > 0 } password ? password : PasswordIn(raw);
        Description = string.Format(System.Globalization.CultureInfo.InvariantCulture, Messages.PostgreSqlCatalogDescription,
            builder.Database ?? builder.Username, builder.Host, builder.Port, builder.Username);
        Identity = string.IsNullOrEmpty(builder.SearchPath) ? Description : $"{Description}?search_path={builder.SearchPath}";

        // Leases hold a session-level advisory lock for a whole upload: their own connection, never
        // pooled (closing it must end the session), kept alive so an idle upload is not cut off.
        var lease = new NpgsqlConnectionStringBuilder(_connectionString) { Pooling = false, ApplicationName = "ImagePs upload lease" };
        if (lease.KeepAlive == 0) lease.KeepAlive = 30;
        _leaseConnectionString = lease.ConnectionString;
    }

    /// <summary>postgresql://user@host:port/database, for messages: never the password.</summary>
    public string Description { get; }

    /// <summary>The description and the search path (the schema the tables are in): which catalog this is.</summary>
    public string Identity { get; }

    /// <summary>Parses a connection string; a bad one is <c>InvalidSettings</c> naming Catalog.ConnectionString.</summary>
    public static PostgreSqlConnections Parse(string connectionString, string settingsPath)
    {
        try
        {
            return new PostgreSqlConnections(new NpgsqlConnectionStringBuilder(connectionString), connectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            throw ImageErrors.InvalidSettings(settingsPath, "Catalog.ConnectionString", Mask(e.Message, PasswordIn(connectionString)));
        }
    }

    /// <summary>A pooled connection, opened.</summary>
    public NpgsqlConnection Open() => Opened(_connectionString);

    /// <summary>A connection of its own (not pooled), opened; closing it ends its session and the session's locks.</summary>
    public NpgsqlConnection OpenUnpooled() => Opened(_leaseConnectionString);

    private static NpgsqlConnection Opened(string connectionString)
    {
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>The error for a server that cannot be reached or used; the message never holds the password.</summary>
    public ImagePsException Unavailable(Exception error) => ImageErrors.CatalogUnavailable(Description, Mask(error.Message, _password), error);

    /// <summary>Closes the idle connections of this connection string's pool (tests, and the copy command when it is done).</summary>
    public void ClosePool()
    {
        using var connection = new NpgsqlConnection(_connectionString);
        NpgsqlConnection.ClearPool(connection);
    }

    private static string Mask(string message, string? password) =>
        string.IsNullOrEmpty(password) ? message : message.Replace(password, "********");

    private static string? PasswordIn(string connectionString)
    {
        var match = PasswordValue.Match(connectionString);
        return match.Success && match.Groups[1].Value.Trim('"', '\'') is { Length: > 0 } value ? value : null;
    }
}
