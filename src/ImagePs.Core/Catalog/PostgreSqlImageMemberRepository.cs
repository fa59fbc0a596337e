using System;

namespace ImagePs.Catalog;

/// <summary>Memberships in the PostgreSQL catalog: table <c>image_members</c>, through the image catalog's pool.</summary>
internal sealed class PostgreSqlImageMemberRepository : SqlImageMemberRepository
{
    public PostgreSqlImageMemberRepository(PostgreSqlImageRepository catalog, Func<DateTime>? utcNow = null)
        : base(catalog, utcNow)
    {
    }
}
