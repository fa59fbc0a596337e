namespace ImagePs;

/// <summary>
/// Where a membership stands (Glance's member status). New members are <see cref="Pending"/>; only
/// the member project accepts or rejects, and only accepted shared images appear in its listings.
/// </summary>
public enum ImageMemberStatus
{
    Pending,
    Accepted,
    Rejected,
}
