using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ImagePs.Catalog;
using ImagePs.Settings;

namespace ImagePs.Store;

/// <summary>
/// Glance's scrubber for delayed deletes: a PendingDelete image whose window (DelayedDeleteSeconds
/// after its Remove-Image) has passed has its data deleted from the store, then its row marked
/// Deleted, as Remove-Image does without the setting. Like Glance's scrubber (glance/scrubber.py,
/// straight to the database) it sends no event: <c>image.delete</c> was sent by the Remove-Image.
/// It also sweeps data no live image has (a process that died between a delete's catalog update and
/// its store delete), never a partial write, never data whose upload lease is held.
/// </summary>
internal sealed class ImageScrubber
{
    /// <summary>How many expired images a command that changes the repository scrubs on its way (bounded work per command).</summary>
    public const int PerCommandLimit = 16;

    /// <summary>How many locations of deleted images a changing command checks for leftover data on its way.</summary>
    public const int PerCommandDataLimit = 16;

    private readonly IImageRepository _catalog;
    private readonly IDeleteQueue _queue;
    private readonly IImageStore _store;
    private readonly IUploadLeases _leases;
    private readonly long _windowSeconds;

    public ImageScrubber(IImageRepository catalog, IDeleteQueue queue, IImageStore store, IUploadLeases leases, RepositorySettings settings)
    {
        _catalog = catalog;
        _queue = queue;
        _store = store;
        _leases = leases;
        _windowSeconds = settings.DelayedDeleteSeconds;
    }

    /// <summary>When a PendingDelete image's window ends (a row without its time: already ended).</summary>
    public DateTime WindowEnd(Image image) =>
        image.PendingDeleteAt is DateTime at ? at.AddSeconds(_windowSeconds) : DateTime.MinValue;

    public bool IsExpired(Image image, DateTime now) => WindowEnd(image) <= now;

    /// <summary>
    /// PendingDelete images to scrub, oldest delete first (then by id): those whose window has passed,
    /// or every one (<paramref name="all"/>); a catalog query, never a listing filtered here.
    /// </summary>
    public IReadOnlyList<Image> Due(DateTime now, bool all, int? limit = null) =>
        _queue.ListPendingDelete(all ? null : now.AddSeconds(-_windowSeconds), limit);

    /// <summary>
    /// Scrubs one PendingDelete image: a window not yet over is ended first (a compare-and-swap, so a
    /// Restore-Image racing it either wins or is refused), then the data is deleted, then the row is
    /// marked Deleted. A failure leaves it PendingDelete, to be scrubbed again.
    /// </summary>
    public void Scrub(Image image, DateTime now)
    {
        if (!IsExpired(image, now))
        {
            image.EndDeleteWindow(now.AddSeconds(-_windowSeconds));
            _catalog.Save(image, ImageStatus.PendingDelete);
        }
        foreach (var location in image.Locations) _store.Delete(location.Url);
        image.SetStatus(ImageStatus.Deleted);
        _catalog.Remove(image);
        foreach (var location in image.Locations) _queue.ConfirmDataDeleted(image.Id, location.Url);
    }

    /// <summary>
    /// The per-command half of the orphan sweep, bounded: up to <paramref name="limit"/> locations of
    /// deleted images whose data the store was not seen to delete (a process that died between a
    /// delete's catalog update and its store delete, or a store that failed) are deleted now, each
    /// under the image's upload lease with the catalog asked again under it, as <see cref="SweepOrphans"/>
    /// does; a held lease leaves it for a later command. A location's data never is a partial write
    /// (those are renamed to it only once complete). A location that fails goes to
    /// <paramref name="failed"/> and stays queued. Returns the locations deleted.
    /// </summary>
    public IReadOnlyList<string> SweepDataToDelete(int limit, Action<string, ImagePsException> failed)
    {
        var deleted = new List<string>();
        foreach (var (id, location) in _queue.ListDataToDelete(limit))
        {
            try
            {
                using (var lease = _leases.TryAcquire(id))
                {
                    if (lease is null || IsLive(id)) continue;
                    _store.Delete(location);
                    _queue.ConfirmDataDeleted(id, location);
                }
                _leases.Forget(id);
                deleted.Add(location);
            }
            catch (ImagePsException e)
            {
                failed(location, e);
            }
        }
        return deleted;
    }

    /// <summary>
    /// Deletes data in the store that no live image has (its row Deleted, or no row): the image's
    /// upload lease is taken first and the catalog asked again under it, so an upload or a
    /// Copy-ImageRepository storing data before its row is written is never touched. Returns the
    /// locations deleted.
    /// </summary>
    public IReadOnlyList<string> SweepOrphans()
    {
        var deleted = new List<string>();
        foreach (var (id, location) in _store.ListData())
        {
            if (IsLive(id)) continue;
            using (var lease = _leases.TryAcquire(id))
            {
                if (lease is null || IsLive(id)) continue;
                _store.Delete(location);
            }
            _leases.Forget(id);
            deleted.Add(location);
        }
        return deleted;
    }

    private bool IsLive(Guid id)
    {
        try
        {
            _catalog.Get(id);
            return true;
        }
        catch (ImageNotFoundException)
        {
            return false;
        }
    }

    /// <summary>True when the image's data is still in the store (Restore-Image checks before it restores).</summary>
    public bool DataExists(string location)
    {
        try
        {
            using var data = _store.OpenRead(location);
            return true;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
    }
}
