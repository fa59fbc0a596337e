using Xunit;

namespace ImagePs.Tests.Support;

/// <summary>The two configurations every contract test runs against.</summary>
public enum TestBackend
{
    /// <summary>SQLite catalog and filesystem store in the repository folder (the default).</summary>
    Embedded,

    /// <summary>PostgreSQL catalog and S3 store (Ceph RGW), the test servers.</summary>
    Servers,
}

/// <summary>Theory data over the backends: both when the servers are there (or required), else the embedded one.</summary>
internal static class TestBackends
{
    public static IEnumerable<TestBackend> Each()
    {
        yield return TestBackend.Embedded;
        if (TestServers.Available || TestServers.Required) yield return TestBackend.Servers;
    }

    public static TheoryData<TestBackend> All
    {
        get
        {
            var data = new TheoryData<TestBackend>();
            foreach (var backend in Each()) data.Add(backend);
            return data;
        }
    }

    /// <summary>Every row of <paramref name="rows"/> once per backend, the backend first.</summary>
    public static IEnumerable<object[]> With(IEnumerable<object[]> rows) =>
        from backend in Each() from row in rows select new object[] { backend }.Concat(row).ToArray();
}

/// <summary>
/// A test that needs the servers: skipped, saying why, when they are missing; failing instead when
/// IMAGEPS_REQUIRE_SERVERS=1 (build.ps1 sets it when it runs as root, as CI does).
/// </summary>
internal sealed class ServerFactAttribute : FactAttribute
{
    public ServerFactAttribute()
    {
        if (!TestServers.Available && !TestServers.Required) Skip = "Needs the PostgreSQL and S3 test servers: " + TestServers.UnavailableReason;
    }
}

/// <summary>A theory that needs the servers (see <see cref="ServerFactAttribute"/>).</summary>
internal sealed class ServerTheoryAttribute : TheoryAttribute
{
    public ServerTheoryAttribute()
    {
        if (!TestServers.Available && !TestServers.Required) Skip = "Needs the PostgreSQL and S3 test servers: " + TestServers.UnavailableReason;
    }
}
