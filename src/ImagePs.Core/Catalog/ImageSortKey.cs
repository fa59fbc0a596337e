namespace ImagePs;

/// <summary>The listing orders of Get-Image -SortBy (Glance's sort_key).</summary>
public enum ImageSortKey
{
    CreatedAt,
    UpdatedAt,
    Name,
    Size,
    VirtualSize,
    Status,
}
