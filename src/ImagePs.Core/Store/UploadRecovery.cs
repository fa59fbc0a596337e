using System;
using System.Collections.Generic;
using System.Linq;
using ImagePs.Catalog;

namespace ImagePs.Store;

/// <summary>
/// Finds images left Saving by an uploader that no longer exists (its lease could be taken: the
/// process crashed, was killed, or the machine lost power), deletes what that upload left in the
/// store and puts the image back to Queued, so sending the data again simply works. Runs whenever a
/// repository is opened; an upload that is merely slow holds its lease and is left alone.
/// </summary>
internal sealed class UploadRecovery
{
    private readonly IImageRepository _catalog;
    private readonly IImageStore _store;
    private readonly IUploadLeases _leases;

    public UploadRecovery(IImageRepository catalog, IImageStore store, IUploadLeases leases)
    {
        _catalog = catalog;
        _store = store;
        _leases = leases;
    }

    /// <summary>Recovers every abandoned upload; returns the images put back to Queued.</summary>
    public Image[] RecoverAbandoned(IOperationObserver observer)
    {
        var saving = _catalog.List(new ImageQuery { Statuses = new[] { ImageStatus.Saving } }).Select(i => i.Id).ToList();
        var recovered = new List<Image>();
        foreach (var id in saving)
        {
            try
            {
                if (RecoverIfAbandoned(id) is { } image) recovered.Add(image);
            }
            catch (ImagePsException e)
            {
                // One image that cannot be recovered now must not stop the command that opened the repository.
                observer.Warning(string.Format(Messages.RecoveryFailed, id, e.Message));
            }
        }
        return recovered.ToArray();
    }

    private Image? RecoverIfAbandoned(Guid id)
    {
        using var lease = _leases.TryAcquire(id);
        return lease is null ? null : RecoverHeld(id);
    }

    /// <summary>With the image's lease held: an image still Saving has no uploader, so undo its upload.</summary>
    public Image? RecoverHeld(Guid id)
    {
        Image image;
        try
        {
            image = _catalog.Get(id);
        }
        catch (ImageNotFoundException)
        {
            return null;
        }
        if (image.Status != ImageStatus.Saving) return null;

        _store.DeleteLeftovers(id);
        image.ClearData();
        image.SetStatus(ImageStatus.Queued);
        try
        {
            _catalog.Save(image, ImageStatus.Saving);
        }
        catch (ImageConflictException)
        {
            return null; // deleted or changed meanwhile by someone who may do so without the lease
        }
        catch (ImageNotFoundException)
        {
            return null;
        }
        return image;
    }
}
