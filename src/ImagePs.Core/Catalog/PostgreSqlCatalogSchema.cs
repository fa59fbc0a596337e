using ImagePs.Errors;
using Npgsql;

namespace ImagePs.Catalog;

/// <summary>
/// The PostgreSQL catalog's schema: the same tables and numbered migrations as
/// <see cref="SqliteCatalogSchema"/>, in PostgreSQL's types. Table <c>imageps_schema</c> records the
/// version reached. Opening a catalog applies the missing steps in one transaction under an advisory
/// lock (hosts opening a new catalog at once migrate it once), and refuses a catalog written by a
/// newer module. The tables go into the first schema of the connection's search path.
/// </summary>
internal static class PostgreSqlCatalogSchema
{
    /// <summary>Held (transaction-scoped) while a catalog is migrated.</summary>
    private const long MigrationLock = 0x496D616765507331; // "ImagePs1"

    private static readonly string[] Migrations =
    {
        // 1: images, tags, extra properties, locations.
        """
        CREATE TABLE images (
            id               uuid        NOT NULL PRIMARY KEY,
            name             text,
            name_folded      text,
            status           text        NOT NULL,
            disk_format      text,
            container_format text,
            visibility       text        NOT NULL,
            protected        boolean     NOT NULL,
            size             bigint,
            virtual_size     bigint,
            checksum         text,
            os_hash_algo     text,
            os_hash_value    text,
            min_disk         integer     NOT NULL,
            min_ram          integer     NOT NULL,
            owner            text,
            created_at       timestamptz NOT NULL,
            updated_at       timestamptz NOT NULL,
            deleted          boolean     NOT NULL DEFAULT false,
            deleted_at       timestamptz
        );
        CREATE INDEX images_listing ON images (deleted, created_at, id);
        CREATE INDEX images_name ON images (name_folded text_pattern_ops);
        CREATE INDEX images_status ON images (status);
        CREATE INDEX images_checksum ON images (checksum);
        CREATE INDEX images_owner ON images (owner);

        CREATE TABLE image_tags (
            image_id     uuid NOT NULL REFERENCES images (id),
            value        text NOT NULL,
            value_folded text NOT NULL,
            PRIMARY KEY (image_id, value)
        );
        CREATE INDEX image_tags_value ON image_tags (value_folded, image_id);

        CREATE TABLE image_properties (
            image_id uuid NOT NULL REFERENCES images (id),
            name     text NOT NULL,
            value    text NOT NULL,
            PRIMARY KEY (image_id, name)
        );

        CREATE TABLE image_locations (
            id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            image_id uuid   NOT NULL REFERENCES images (id),
            url      text   NOT NULL,
            status   text   NOT NULL
        );
        CREATE INDEX image_locations_image ON image_locations (image_id);
        """,

        // 2: members of shared images (Glance's image_members).
        """
        CREATE TABLE image_members (
            image_id   uuid        NOT NULL REFERENCES images (id),
            member     text        NOT NULL,
            status     text        NOT NULL,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            PRIMARY KEY (image_id, member)
        );
        CREATE INDEX image_members_member ON image_members (member, status, image_id);
        """,

        // 3: indexes for listing many images by status (in listing order) and by property.
        """
        DROP INDEX images_status;
        CREATE INDEX images_status_listing ON images (deleted, status, created_at, id);
        CREATE INDEX image_properties_value ON image_properties (name, value, image_id);
        """,

        // 4: the events log, shared by every host of the catalog (the embedded catalog keeps events.jsonl).
        // id is the order written in; line is the event's JSON as the file log would hold it.
        """
        CREATE TABLE image_events (
            id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            occurred_at timestamptz NOT NULL,
            event_type  text        NOT NULL,
            image_id    uuid,
            line        text        NOT NULL
        );
        CREATE INDEX image_events_image ON image_events (image_id, id);
        CREATE INDEX image_events_time ON image_events (occurred_at, id);
        """,

        // 5: a row version, raised by every save: saves compare-and-swap on it (no lost updates).
        """
        ALTER TABLE images ADD COLUMN version bigint NOT NULL DEFAULT 0;
        """,

        // 6: indexes for Get-Image's filters and sort keys, each in listing order (nullable keys
        // NULLS FIRST, as the listing sorts them; names in the "C" collation, ordinal).
        """
        DROP INDEX IF EXISTS images_owner;
        CREATE INDEX IF NOT EXISTS images_name_listing ON images (deleted, name_folded COLLATE "C" NULLS FIRST, created_at, id);
        CREATE INDEX IF NOT EXISTS images_owner_listing ON images (deleted, owner, created_at, id);
        CREATE INDEX IF NOT EXISTS images_container_listing ON images (deleted, container_format, created_at, id);
        CREATE INDEX IF NOT EXISTS images_protected_listing ON images (deleted, protected, created_at, id);
        CREATE INDEX IF NOT EXISTS images_size_listing ON images (deleted, size NULLS FIRST, created_at, id);
        CREATE INDEX IF NOT EXISTS images_virtual_size_listing ON images (deleted, virtual_size NULLS FIRST, created_at, id);
        CREATE INDEX IF NOT EXISTS images_updated_listing ON images (deleted, updated_at, created_at, id);
        CREATE INDEX IF NOT EXISTS images_os_hash_value ON images (os_hash_value);
        """,

        // 7: Glance's os_hidden; existing images are not hidden. Listings leave hidden images out,
        // so the default listing has an index of its own in listing order.
        """
        ALTER TABLE images ADD COLUMN hidden boolean NOT NULL DEFAULT false;
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
        ALTER TABLE images ADD COLUMN pending_delete_at timestamptz;
        """,

        // 10: the scrubber's two queues as partial indexes (a few rows each, whatever the catalog's
        // size): PendingDelete images in the order they are scrubbed (removal time, then id), and
        // locations of deleted images whose data the store has not been seen to delete (status
        // pending_delete, as Glance names it: a process died between the delete's catalog update
        // and its store delete), swept a few per changing command. Locations that older versions
        // marked deleted before their store delete stay with Clear-DeletedImage's store-wide sweep.
        """
        CREATE INDEX IF NOT EXISTS images_pending_delete ON images (pending_delete_at NULLS FIRST, id) WHERE status = 'pending_delete';
        CREATE INDEX IF NOT EXISTS image_locations_to_delete ON image_locations (id) WHERE status = 'pending_delete';
        """,

        // 11: -UpdatedAfter/-UpdatedBefore in the listing order walk the shown listing and test the
        // update time of each row: with updated_at in that index the test is made on the index
        // entry, not on the table row it points to (174 ms for -First 100 at 100,000 images when the
        // recent updates are the recent images). It replaces images_shown_listing, whose order it keeps.
        // And a tag wildcard's LIKE prefix needs a text_pattern_ops index (image_tags_value is in the
        // database's collation, so a rare tag's prefix read all of image_tags).
        """
        DROP INDEX IF EXISTS images_shown_listing;
        CREATE INDEX IF NOT EXISTS images_shown_updated_listing ON images (deleted, hidden, created_at, id, updated_at);
        CREATE INDEX IF NOT EXISTS image_tags_value_pattern ON image_tags (value_folded text_pattern_ops, image_id);
        """,
    };

    /// <summary>The schema version this module writes.</summary>
    public static long CurrentVersion => Migrations.Length;

    /// <param name="catalog">The catalog's description for messages (never the connection string).</param>
    public static void Migrate(NpgsqlConnection connection, string catalog)
    {
        var version = ReadVersion(connection);
        if (version > CurrentVersion) throw ImageErrors.CatalogSchemaTooNew(catalog, version, CurrentVersion);
        if (version == CurrentVersion) return;

        using var transaction = connection.BeginTransaction();
        Execute(connection, $"SELECT pg_advisory_xact_lock({MigrationLock})");
        Execute(connection, "CREATE TABLE IF NOT EXISTS imageps_schema (version integer NOT NULL)");
        version = ReadVersion(connection); // another host may have migrated meanwhile
        if (version > CurrentVersion) throw ImageErrors.CatalogSchemaTooNew(catalog, version, CurrentVersion);
        if (version == 0) Execute(connection, "DELETE FROM imageps_schema; INSERT INTO imageps_schema (version) VALUES (0)");
        for (var step = version; step < CurrentVersion; step++)
            Execute(connection, Migrations[step] + $"\nUPDATE imageps_schema SET version = {step + 1};");
        transaction.Commit();
    }

    /// <summary>Refuses a schema this module cannot read as it is (older or newer), without changing it.</summary>
    public static void RequireCurrent(NpgsqlConnection connection, string catalog)
    {
        var version = ReadVersion(connection);
        if (version > CurrentVersion) throw ImageErrors.CatalogSchemaTooNew(catalog, version, CurrentVersion);
        if (version < CurrentVersion) throw ImageErrors.CatalogReadOnlyOutdated(catalog, version, CurrentVersion);
    }

    /// <summary>The version reached; 0 for a database ImagePs has not written yet.</summary>
    public static long ReadVersion(NpgsqlConnection connection)
    {
        using var exists = new NpgsqlCommand("SELECT to_regclass('imageps_schema') IS NOT NULL", connection);
        if (!(bool)exists.ExecuteScalar()!) return 0;
        using var select = new NpgsqlCommand("SELECT max(version) FROM imageps_schema", connection);
        return select.ExecuteScalar() is int version ? version : 0;
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
