using System;
using System.Collections.Generic;

namespace ImagePs.Catalog;

/// <summary>
/// What the scrubber asks the catalog, each one indexed query with a limit (bounded work per
/// command): delayed deletes whose window has passed, and data of deleted images that the store
/// has not been seen to delete (Glance's location status <c>pending_delete</c>).
/// </summary>
internal interface IDeleteQueue
{
    /// <summary>
    /// PendingDelete images removed at or before <paramref name="removedAtOrBefore"/> (every one when
    /// null), oldest removal first, then by id; at most <paramref name="limit"/> (all when null).
    /// </summary>
    IReadOnlyList<Image> ListPendingDelete(DateTime? removedAtOrBefore, int? limit);

    /// <summary>
    /// Locations of deleted images whose data may still be in the store (the delete's catalog update
    /// is done, its store delete not confirmed: a process died in between, or the store failed),
    /// oldest delete first; at most <paramref name="limit"/>.
    /// </summary>
    IReadOnlyList<(Guid ImageId, string Location)> ListDataToDelete(int limit);

    /// <summary>The store deleted this location of a deleted image: it leaves <see cref="ListDataToDelete"/>.</summary>
    void ConfirmDataDeleted(Guid imageId, string location);
}
