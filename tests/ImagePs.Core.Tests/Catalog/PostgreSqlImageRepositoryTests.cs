using ImagePs.Catalog;
using ImagePs.Domain;
using ImagePs.Settings;
using ImagePs.Store;
using ImagePs.Tests.Support;
using Npgsql;
using Xunit;

namespace ImagePs.Tests.Catalog;

/// <summary>
/// What only the PostgreSQL catalog has: its schema version table and migrations, errors for a
/// server that is down or refuses the login (never showing the password), bad connection strings,
/// and upload leases as advisory locks. What every catalog does is in the contract tests.
/// </summary>
public class PostgreSqlImageRepositoryTests
{
    private static string WithPassword(string connectionString, string password) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Password = password }.ConnectionString;

    [ServerFact]
    public void A_new_database_gets_the_tables_and_the_current_schema_version()
    {
        using var test = new TestCatalog(TestBackend.Servers);

        Assert.Equal(PostgreSqlCatalogSchema.CurrentVersion, Convert.ToInt64(TestServers.Scalar(test.Schema!, "SELECT version FROM imageps_schema")));
        Assert.Equal(1L, TestServers.Scalar(test.Schema!, "SELECT count(*) FROM imageps_schema"));
        var tables = (string)TestServers.Scalar(test.Schema!,
            $"SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = '{test.Schema}'")!;
        Assert.Equal("image_events,image_locations,image_members,image_properties,image_tags,imageps_schema,images", tables);
    }

    [ServerFact]
    public void Opened_read_only_the_schema_is_checked_and_never_migrated()
    {
        using var test = new TestCatalog(TestBackend.Servers);
        var image = new ImageFactory(new CallerContext("alice", "web")).NewImage(new ImageDraft { Name = "kept" });
        test.Repository.Add(image);

        var reader = PostgreSqlImageRepository.Open(test.Location, "imageps.json", readOnly: true);
        Assert.False(reader.IsWritable);
        Assert.Equal("kept", reader.Get(image.Id).Name);
        reader.Connections.ClosePool();

        var older = PostgreSqlCatalogSchema.CurrentVersion - 1;
        TestServers.Execute($"UPDATE {test.Schema}.imageps_schema SET version = {older}");
        var error = Assert.Throws<ImagePsException>(() => PostgreSqlImageRepository.Open(test.Location, "imageps.json", readOnly: true));
        Assert.Equal("CatalogUnavailable", error.ErrorId);
        Assert.Equal(older, Convert.ToInt64(TestServers.Scalar(test.Schema!, "SELECT version FROM imageps_schema")));
    }

    [ServerFact]
    public void Hosts_opening_a_new_catalog_at_once_migrate_it_once()
    {
        using var test = new TestCatalog(TestBackend.Servers);
        TestServers.Execute($"DROP TABLE {test.Schema}.image_events, {test.Schema}.image_members, {test.Schema}.image_locations, {test.Schema}.image_properties, " +
                            $"{test.Schema}.image_tags, {test.Schema}.images, {test.Schema}.imageps_schema");

        var opened = Enumerable.Range(0, 6).AsParallel().WithDegreeOfParallelism(6).Select(_ => test.Open()).ToList();

        Assert.Equal(6, opened.Count);
        Assert.Equal(PostgreSqlCatalogSchema.CurrentVersion, Convert.ToInt64(TestServers.Scalar(test.Schema!, "SELECT version FROM imageps_schema")));
        Assert.Empty(opened[0].List(ImageQuery.All));
    }

    [ServerFact]
    public void Reopening_keeps_the_data_and_a_catalog_at_an_older_version_is_migrated()
    {
        using var test = new TestCatalog(TestBackend.Servers);
        var image = new ImageFactory(new CallerContext("alice", "web")).NewImage(new ImageDraft { Name = "kept" });
        test.Repository.Add(image);
        // Back to what schema version 1 was (migration 3 replaced an index of version 1, 4 added image_events, 5 and 7 a column, 8 two).
        TestServers.Execute($"SET search_path = {test.Schema}; ALTER TABLE images DROP COLUMN status_before_delete; ALTER TABLE images DROP COLUMN pending_delete_at; DROP TABLE image_events; ALTER TABLE images DROP COLUMN hidden; ALTER TABLE images DROP COLUMN version; DROP TABLE image_members; DROP INDEX images_status_listing; " +
                            "DROP INDEX image_properties_value; CREATE INDEX images_status ON images (status); UPDATE imageps_schema SET version = 1");

        var reopened = test.Open();

        Assert.Equal("kept", reopened.Get(image.Id).Name);
        Assert.Equal(PostgreSqlCatalogSchema.CurrentVersion, Convert.ToInt64(TestServers.Scalar(test.Schema!, "SELECT version FROM imageps_schema")));
        test.Members(reopened).Add(image, ImageMember.New(image.Id, "db", DateTime.UtcNow));
    }

    [ServerFact]
    public void A_catalog_from_a_newer_module_is_refused()
    {
        using var test = new TestCatalog(TestBackend.Servers);
        TestServers.Execute($"UPDATE {test.Schema}.imageps_schema SET version = {PostgreSqlCatalogSchema.CurrentVersion + 1}");

        var error = Assert.Throws<ImagePsException>(() => test.Open());

        Assert.Equal("CatalogSchemaTooNew", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidOperation, error.Kind);
        Assert.Contains($"postgresql://imageps_test@127.0.0.1:{new NpgsqlConnectionStringBuilder(TestServers.PostgreSql).Port}/imageps_test", error.Message);
    }

    [ServerFact]
    public void A_server_that_is_down_is_CatalogUnavailable_naming_it_without_the_password()
    {
        TestServers.EnsureAvailable();
        var connectionString = new NpgsqlConnectionStringBuilder(TestServers.PostgreSql) { Port = 9, Timeout = 5 }.ConnectionString;
        var password = new NpgsqlConnectionStringBuilder(connectionString).Password!;

        var error = Assert.Throws<ImagePsException>(() => PostgreSqlImageRepository.Open(connectionString, "imageps.json"));

        Assert.Equal("CatalogUnavailable", error.ErrorId);
        Assert.Equal(ErrorKind.ResourceUnavailable, error.Kind);
        Assert.Contains("postgresql://imageps_test@127.0.0.1:9/imageps_test", error.Message);
        Assert.DoesNotContain(password, error.ToString());
    }

    [ServerFact]
    public void A_wrong_password_is_CatalogUnavailable_and_not_shown()
    {
        TestServers.EnsureAvailable();
        const string wrong = "wrong-password-31337";

        var error = Assert.Throws<ImagePsException>(() => PostgreSqlImageRepository.Open(WithPassword(TestServers.PostgreSql!, wrong), "imageps.json"));

        Assert.Equal("CatalogUnavailable", error.ErrorId);
        Assert.Contains("password authentication failed", error.Message);
        Assert.DoesNotContain(wrong, error.ToString());
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Password=s3cret-value;Bogus=1", "Bogus")]
    [InlineData("Host=127.0.0.1;Port=notaport;Password=s3cret-value", "Port")]
    public void A_bad_connection_string_is_InvalidSettings_naming_the_key_not_the_password(string connectionString, string named)
    {
        var error = Assert.Throws<ImagePsException>(() => PostgreSqlImageRepository.Open(connectionString, "/repo/imageps.json"));

        Assert.Equal("InvalidSettings", error.ErrorId);
        Assert.Contains("Catalog.ConnectionString", error.Message);
        Assert.Contains(named, error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("s3cret-value", error.ToString());
    }

    [ServerFact]
    public void An_upload_lease_is_held_by_one_session_at_a_time_and_freed_when_the_session_ends()
    {
        using var test = new TestCatalog(TestBackend.Servers);
        var connections = ((PostgreSqlImageRepository)test.Repository).Connections;
        var thisHost = new PostgreSqlUploadLeases(connections);
        var otherHost = new PostgreSqlUploadLeases(((PostgreSqlImageRepository)test.Open()).Connections);
        var id = Guid.NewGuid();

        var lease = thisHost.TryAcquire(id);
        Assert.NotNull(lease);
        Assert.Null(otherHost.TryAcquire(id));
        Assert.Null(thisHost.TryAcquire(id)); // a second session of the same process is another uploader too
        using (var unrelated = otherHost.TryAcquire(Guid.NewGuid())) Assert.NotNull(unrelated);

        lease!.Dispose();
        var taken = otherHost.TryAcquire(id);
        Assert.NotNull(taken);

        // The holder's host vanishes: the server ends its session, and the lock with it.
        TestServers.Execute($"SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' " +
                            $"AND ((classid::bigint << 32) | objid::bigint) = {PostgreSqlUploadLeases.KeyOf(id)} AND granted");
        Assert.True(SpinWait.SpinUntil(() =>
        {
            using var again = thisHost.TryAcquire(id);
            return again is not null;
        }, TimeSpan.FromSeconds(10)));
        taken!.Dispose(); // its session is gone already: no error
    }
}
