using System;

namespace ImagePs.Domain;

/// <summary>
/// Times as the catalogs keep them: UTC, whole microseconds (PostgreSQL's resolution, and Glance's
/// databases'), so an image reads back exactly as it was written whichever catalog holds it.
/// </summary>
internal static class CatalogTime
{
    public static DateTime UtcNow() => Truncate(DateTime.UtcNow);

    public static DateTime Truncate(DateTime value) => new(value.Ticks - value.Ticks % 10, value.Kind);
}
