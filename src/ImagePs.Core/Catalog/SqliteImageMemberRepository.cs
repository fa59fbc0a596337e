using System;

namespace ImagePs.Catalog;

/// <summary>
/// Memberships in the embedded catalog: table <c>image_members</c> of the same SQLite file, through
/// the image catalog's connections (same busy timeout and pragmas).
/// </summary>
internal sealed class SqliteImageMemberRepository : SqlImageMemberRepository
{
    public SqliteImageMemberRepository(SqliteImageRepository catalog, Func<DateTime>? utcNow = null)
        : base(catalog, utcNow)
    {
    }
}
