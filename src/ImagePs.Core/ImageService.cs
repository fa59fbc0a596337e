using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using ImagePs.Formats;

namespace ImagePs;

/// <summary>
/// What the cmdlets do, one method each, on top of the gateway for one caller. This is where an
/// upload's status changes: Queued → Saving (compare-and-swap) → data → Active (compare-and-swap),
/// and back to Queued with the data deleted when anything fails.
/// </summary>
public sealed class ImageService
{
    private readonly Gateway _gateway;
    private readonly IOperationObserver _observer;
    private readonly CallerContext _caller;

    public ImageService(RepositoryBackend backend, CallerContext caller, IOperationObserver observer)
    {
        Backend = backend;
        _observer = observer;
        _caller = caller;
        _gateway = new Gateway(backend, caller, observer);
    }

    public RepositoryBackend Backend { get; }

    /// <summary>Opens the repository named by the environment (see <see cref="RepositoryFolder.FromEnvironment"/>).</summary>
    public static ImageService Open(IOperationObserver? observer = null, CallerContext? caller = null, RepositoryFolder? folder = null)
    {
        var backend = RepositoryBackend.Open(folder ?? RepositoryFolder.FromEnvironment());
        return new ImageService(backend, caller ?? CallerContext.FromEnvironment(), observer ?? SilentObserver.Instance);
    }

    public Image CreateImage(ImageDraft draft)
    {
        var image = _gateway.ImageFactory.NewImage(draft);
        _gateway.ImageRepository.Add(image);
        return image;
    }

    public Image GetImage(Guid id) => _gateway.ImageRepository.Get(id);

    public IEnumerable<Image> FindImages(ImageQuery query) => _gateway.ImageRepository.List(query);

    /// <summary>Refuses, before anything is asked or changed, an image that cannot be deleted.</summary>
    public static void CheckRemovable(Image image)
    {
        if (image.Protected) throw ImageErrors.ImageProtected(image);
    }

    public void RemoveImage(Guid id)
    {
        var image = _gateway.ImageRepository.Get(id);
        image.Delete();
        _gateway.ImageRepository.Remove(image);
    }

    // --- changing an image: read, apply in memory (every rule checked), then save ---------------
    // The cmdlets ask for confirmation between the apply and the save; the save is a compare-and-swap
    // on the status the image was read with, so a status change meanwhile is ImageConflict.

    /// <summary>Set-Image in one call: reads the image, applies the changes, saves it.</summary>
    public Image UpdateImage(Guid id, ImageChanges changes)
    {
        var image = GetImage(id);
        ApplyChanges(image, changes);
        return SaveImage(image);
    }

    /// <summary>Checks and applies <paramref name="changes"/> to an image in memory; nothing is saved.</summary>
    public static void ApplyChanges(Image image, ImageChanges changes) => changes.ApplyTo(image);

    /// <summary>Glance's deactivate, in memory: false when the image already was Deactivated.</summary>
    public static bool Deactivate(Image image) => image.Deactivate();

    /// <summary>Glance's reactivate, in memory: false when the image already was Active.</summary>
    public static bool Reactivate(Image image) => image.Reactivate();

    /// <summary>Saves an image read and changed by this service, through the gateway's repository.</summary>
    public Image SaveImage(Image image)
    {
        _gateway.ImageRepository.Save(image);
        return image;
    }

    /// <summary>Disable-Image in one call; an image already Deactivated is left as it is.</summary>
    public Image DeactivateImage(Guid id)
    {
        var image = GetImage(id);
        return Deactivate(image) ? SaveImage(image) : image;
    }

    /// <summary>Enable-Image in one call; an image already Active is left as it is.</summary>
    public Image ReactivateImage(Guid id)
    {
        var image = GetImage(id);
        return Reactivate(image) ? SaveImage(image) : image;
    }

    /// <summary>
    /// What a download asks before it reads any data (Glance's image_data.download): a Deactivated
    /// image's data is refused with <c>ImageDeactivated</c> unless the caller is an admin.
    /// </summary>
    public void CheckDownloadAllowed(Image image)
    {
        if (image.Status == ImageStatus.Deactivated && !_caller.IsAdmin) throw ImageErrors.ImageDeactivated(image);
    }

    /// <summary>Uploads a file's content into a Queued image.</summary>
    public Image UploadData(Guid id, string path, CancellationToken cancellationToken)
    {
        using var source = SourceFile.Open(path);
        long? size = source.CanSeek ? source.Length : null;
        return UploadData(id, new ImageDataSource(source, size, path), cancellationToken);
    }

    public Image UploadData(Guid id, ImageDataSource source, CancellationToken cancellationToken)
    {
        var repository = _gateway.ImageRepository;
        var image = repository.Get(id);
        image.SetStatus(ImageStatus.Saving);
        repository.Save(image, ImageStatus.Queued);
        _observer.Verbose(string.Format(Messages.UploadStarted, image, source.Description));
        try
        {
            _gateway.DataWriter.SetData(image, source, cancellationToken);
            image.SetStatus(ImageStatus.Active);
            repository.Save(image, ImageStatus.Saving);
            return image;
        }
        catch (Exception)
        {
            Restore(image);
            throw;
        }
    }

    /// <summary>The disk format New-Image gives a file: from its content, else its extension, else raw.</summary>
    public static string DetectDiskFormat(string path)
    {
        try
        {
            return DiskFormatDetector.Detect(SourceFile.Check(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw SourceFile.Classify(e, path);
        }
    }

    /// <summary>
    /// Glance's _restore after a failed upload: data deleted, image back to Queued so the upload can
    /// simply be retried. The catalog's copy decides: an image deleted or changed meanwhile is left alone.
    /// </summary>
    private void Restore(Image attempted)
    {
        try
        {
            if (attempted.Locations.Count > 0) _gateway.DataWriter.DeleteData(attempted);
        }
        catch (ImagePsException e)
        {
            _observer.Warning(string.Format(Messages.DataNotDeleted, attempted, e.Message));
        }

        try
        {
            Image current;
            try
            {
                current = _gateway.ImageRepository.Get(attempted.Id);
            }
            catch (ImageNotFoundException)
            {
                return; // deleted during the upload: nothing to restore
            }
            if (current.Status != ImageStatus.Saving) return;
            current.ClearData();
            current.SetStatus(ImageStatus.Queued);
            _gateway.ImageRepository.Save(current, ImageStatus.Saving);
        }
        catch (ImagePsException e)
        {
            _observer.Warning(string.Format(Messages.RestoreFailed, attempted, e.Message));
        }
    }
}
