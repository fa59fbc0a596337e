using ImagePs.Errors;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ImagePs.Catalog;

/// <summary>
/// The catalog's schema as numbered migrations. <c>PRAGMA user_version</c> records the version
/// reached; opening a catalog applies the missing steps in one transaction, and refuses a catalog
/// written by a newer module.
/// </summary>
internal static class SqliteCatalogSchema
{
    private static readonly string[] Migrations =
    {
        // 1: images, tags, extra properties, locations.
        """
        CREATE TABLE images (
            id               TEXT    NOT NULL PRIMARY KEY,
            name             TEXT,
            name_folded      TEXT,
            status           TEXT    NOT NULL,
            disk_format      TEXT,
            container_format TEXT,
            visibility       TEXT    NOT NULL,
            protected        INTEGER NOT NULL,
            size             INTEGER,
            virtual_size     INTEGER,
            checksum         TEXT,
            os_hash_algo     TEXT,
            os_hash_value    TEXT,
            min_disk         INTEGER NOT NULL,
            min_ram          INTEGER NOT NULL,
            owner            TEXT,
            created_at       TEXT    NOT NULL,
            updated_at       TEXT    NOT NULL,
            deleted          INTEGER NOT NULL DEFAULT 0,
            deleted_at       TEXT
        );
        CREATE INDEX images_listing ON images (deleted, created_at, id);
        CREATE INDEX images_name ON images (name_folded);
        CREATE INDEX images_status ON images (status);
        CREATE INDEX images_checksum ON images (checksum);
        CREATE INDEX images_owner ON images (owner);

        CREATE TABLE image_tags (
            image_id     TEXT NOT NULL REFERENCES images (id),
            value        TEXT NOT NULL,
            value_folded TEXT NOT NULL,
            PRIMARY KEY (image_id, value)
        ) WITHOUT ROWID;
        CREATE INDEX image_tags_value ON image_tags (value_folded, image_id);

        CREATE TABLE image_properties (
            image_id TEXT NOT NULL REFERENCES images (id),
            name     TEXT NOT NULL,
            value    TEXT NOT NULL,
            PRIMARY KEY (image_id, name)
        ) WITHOUT ROWID;

        CREATE TABLE image_locations (
            id       INTEGER PRIMARY KEY,
            image_id TEXT NOT NULL REFERENCES images (id),
            url      TEXT NOT NULL,
            status   TEXT NOT NULL
        );
        CREATE INDEX image_locations_image ON image_locations (image_id);
        """,

        // 2: members of shared images (Glance's image_members).
        """
        CREATE TABLE image_members (
            image_id   TEXT NOT NULL REFERENCES images (id),
            member     TEXT NOT NULL,
            status     TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (image_id, member)
        ) WITHOUT ROWID;
        CREATE INDEX image_members_member ON image_members (member, status, image_id);
        """,

        // 3: indexes for listing 100k images by status (in listing order) and by property.
        """
        DROP INDEX images_status;
        CREATE INDEX images_status_listing ON images (deleted, status, created_at, id);
        CREATE INDEX image_properties_value ON image_properties (name, value, image_id);
        """,

        // 4: nothing here: PostgreSQL's step 4 adds its image_events table, while beside a SQLite
        // catalog the events stay in events.jsonl. The step keeps both schemas on one numbering.
        "",
        // 5: a row version, raised by every save: saves compare-and-swap on it (no lost updates).
        """
        ALTER TABLE images ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
        """,

        // 6: indexes for Get-Image's filters and sort keys, each in listing order (-First 100 reads 100 rows).
        """
        DROP INDEX IF EXISTS images_name;
        DROP INDEX IF EXISTS images_owner;
        CREATE INDEX IF NOT EXISTS images_name_listing ON images (deleted, name_folded, created_at, id);
        CREATE INDEX IF NOT EXISTS images_owner_listing ON images (deleted, owner, created_at, id);
        CREATE INDEX IF NOT EXISTS images_container_listing ON images (deleted, container_format, created_at, id);
        CREATE INDEX IF NOT EXISTS images_protected_listing ON images (deleted, protected, created_at, id);
        CREATE INDEX IF NOT EXISTS images_size_listing ON images (deleted, size, created_at, id);
        CREATE INDEX IF NOT EXISTS images_virtual_size_listing ON images (deleted, virtual_size, created_at, id);
        CREATE INDEX IF NOT EXISTS images_updated_listing ON images (deleted, updated_at, created_at, id);
        CREATE INDEX IF NOT EXISTS images_os_hash_value ON images (os_hash_value);
        """,

        // 7: Glance's os_hidden; existing images are not hidden. Listings leave hidden images out,
        // so the default listing has an index of its own in listing order.
        """
        ALTER TABLE images ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX IF NOT EXISTS images_shown_listing ON images (deleted, hidden, created_at, id);
        """,

        // 8: -SortBy Status orders by the
        // status's rank (ImageQueryFilter.StatusRank, a CASE expression), which no column index
        // serves: -First 100 sorted all 100,000 rows. An index on that very expression, in listing
        // order. A change of ImageStatus changes the expression: then a new migration replaces this
        // index (ImageQueryPlanTests.Sorting_by_status_walks_its_index_in_order fails until it does).
        """
        CREATE INDEX IF NOT EXISTS images_status_rank_listing ON images (deleted, hidden, (CASE status WHEN 'queued' THEN 0 WHEN 'saving' THEN 1 WHEN 'active' THEN 2 WHEN 'killed' THEN 3 WHEN 'deleted' THEN 4 WHEN 'pending_delete' THEN 5 WHEN 'deactivated' THEN 6 WHEN 'uploading' THEN 7 WHEN 'importing' THEN 8 END), created_at, id);
        """,

        // 9: delayed delete (Glance's delayed_delete): a PendingDelete image remembers the status it
        // had (Restore-Image returns it there) and when it was removed (it is scrubbed after
        // DelayedDeleteSeconds). Existing images are not pending delete.
        """
        ALTER TABLE images ADD COLUMN status_before_delete TEXT;
        ALTER TABLE images ADD COLUMN pending_delete_at TEXT;
        """,

        // 10: the scrubber's two queues as partial indexes (a few rows each, whatever the catalog's
        // size): PendingDelete images in the order they are scrubbed (removal time, then id), and
        // locations of deleted images whose data the store has not been seen to delete (status
        // pending_delete, as Glance names it: a process died between the delete's catalog update
        // and its store delete), swept a few per changing command. Locations that older versions
        // marked deleted before their store delete stay with Clear-DeletedImage's store-wide sweep.
        """
        CREATE INDEX IF NOT EXISTS images_pending_delete ON images (pending_delete_at, id) WHERE status = 'pending_delete';
        CREATE INDEX IF NOT EXISTS image_locations_to_delete ON image_locations (id) WHERE status = 'pending_delete';
        """,

        // 11: -UpdatedAfter/-UpdatedBefore in the listing order walk the shown listing and test the
        // update time of each row: with updated_at in that index the test is made on the index
        // entry, not on the table row it points to (174 ms for -First 100 at 100,000 images when the
        // recent updates are the recent images). It replaces images_shown_listing, whose order it keeps.
        """
        DROP INDEX IF EXISTS images_shown_listing;
        CREATE INDEX IF NOT EXISTS images_shown_updated_listing ON images (deleted, hidden, created_at, id, updated_at);
        """,
    };

    /// <summary>The schema version this module writes.</summary>
    public static long CurrentVersion => Migrations.Length;

    public static void Migrate(SqliteConnection connection, string path)
    {
        var version = ReadVersion(connection);
        if (version > CurrentVersion) throw ImageErrors.CatalogSchemaTooNew(path, version, CurrentVersion);
        if (version == CurrentVersion) return;

        using (var wal = connection.CreateCommand())
        {
            // Outside the transaction: the journal mode cannot change inside one. It persists in the file.
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            wal.ExecuteNonQuery();
        }

        using var transaction = connection.BeginTransaction();
        version = ReadVersion(connection); // another process may have migrated meanwhile
        if (version > CurrentVersion) throw ImageErrors.CatalogSchemaTooNew(path, version, CurrentVersion);
        for (var step = version; step < CurrentVersion; step++)
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = Migrations[step] + $"\nPRAGMA user_version = {step + 1};";
            command.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    /// <summary>
    /// Keeps the query planner's statistics current (sqlite_stat1), so that a selective filter (a
    /// name prefix, a rare tag) uses its index instead of scanning the listing order. Cheap when
    /// nothing changed much (SQLite re-analyzes a table when it has grown about tenfold). It may need
    /// the write lock, so it never waits for it: while another process writes, it is skipped (the
    /// next open does it), and so is any failure, since statistics are only a hint.
    /// </summary>
    public static void RefreshStatistics(SqliteConnection connection)
    {
        // Straight to SQLite with no busy wait (Microsoft.Data.Sqlite's commands retry a busy lock);
        // every open sets the connection's busy timeout again, so a pooled connection gets it back.
        var handle = connection.Handle!;
        raw.sqlite3_busy_timeout(handle, 0);
        raw.sqlite3_exec(handle, "PRAGMA optimize = 0x10002;");
    }

    public static long ReadVersion(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version;";
        return (long)command.ExecuteScalar()!;
    }
}
