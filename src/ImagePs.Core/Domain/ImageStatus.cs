namespace ImagePs;

/// <summary>Glance's image statuses. The allowed moves are in <see cref="Domain.ImageStatusTransitions"/>.</summary>
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
