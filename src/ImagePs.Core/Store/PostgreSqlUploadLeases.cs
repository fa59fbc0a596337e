using System;
using System.Security.Cryptography;
using System.Text;
using ImagePs.Catalog;
using Npgsql;

namespace ImagePs.Store;

/// <summary>
/// Upload leases for hosts sharing a PostgreSQL catalog: a session-level advisory lock on a 64-bit
/// hash of the image id, held on a connection of its own for the whole upload. The server releases
/// it when the session ends, however it ends: the uploader closes it, its process dies (the socket
/// closes with it), or its host vanishes (the server's TCP keepalive gives up on the connection).
/// So, as with lock files on one machine, an image found Saving whose lease can be taken was
/// abandoned, and recovery needs no timeouts. Nothing is left to clean up (<see cref="Forget"/>).
/// </summary>
internal sealed class PostgreSqlUploadLeases : IUploadLeases
{
    private readonly PostgreSqlConnections _connections;

    public PostgreSqlUploadLeases(PostgreSqlConnections connections)
    {
        _connections = connections;
    }

    public IDisposable? TryAcquire(Guid imageId)
    {
        NpgsqlConnection? connection = null;
        try
        {
            connection = _connections.OpenUnpooled();
            using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
            command.Parameters.AddWithValue("key", KeyOf(imageId));
            if ((bool)command.ExecuteScalar()!) return new Lease(connection, KeyOf(imageId));
            connection.Dispose();
            return null; // held by a live uploader
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            connection?.Dispose();
            throw _connections.Unavailable(e);
        }
    }

    public void Forget(Guid imageId)
    {
    }

    /// <summary>The lock key: the first 8 bytes of SHA-256 over a fixed prefix and the id.</summary>
    internal static long KeyOf(Guid imageId)
    {
        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(Encoding.ASCII.GetBytes("imageps-upload:" + imageId.ToString("D")));
        return BitConverter.ToInt64(hash, 0);
    }

    private sealed class Lease : IDisposable
    {
        private readonly NpgsqlConnection _connection;
        private readonly long _key;

        public Lease(NpgsqlConnection connection, long key)
        {
            _connection = connection;
            _key = key;
        }

        public void Dispose()
        {
            try
            {
                using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", _connection);
                command.Parameters.AddWithValue("key", _key);
                command.ExecuteNonQuery();
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                // The session is gone, and its lock with it.
            }
            finally
            {
                _connection.Dispose();
            }
        }
    }
}
