namespace ImagePs;

/// <summary>Glance's image statuses. The allowed moves are in <see cref="ImageStatusTransitions"/>.</summary>
public enum ImageStatus
{
    Queued,
    Saving,
    Active,
    Killed,
    Deleted,
    PendingDelete,
    Deactivated,
    Uploading,
    Importing,
}
