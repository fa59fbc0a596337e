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

    public ImageService(RepositoryBackend backend, CallerContext caller, IOperationObserver observer)
    {
        Backend = backend;
        _observer = observer;
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

    /// <summary>
    /// The disk format an image made from a file gets (New-Image -Path): the file is inspected, unsafe
    /// content is refused (UnsafeImage); without a declared format the detected one is used, with one
    /// the content must match it (DiskFormatMismatch, unless RequireDiskFormatMatch is false).
    /// </summary>
    public string ChooseDiskFormat(string path, string? declaredDiskFormat, string? containerFormat) =>
        new ContentVerifier(Backend.Settings, Backend.Probe, _observer).ChooseDiskFormat(SourceFile.Check(path), declaredDiskFormat, containerFormat);

    /// <summary>The disk format the content of a file has (for New-Image without -DiskFormat); unsafe files are refused.</summary>
    public static string DetectDiskFormat(string path) =>
        new ContentVerifier(RepositorySettings.Default, new QemuImgProbe(null), SilentObserver.Instance).ChooseDiskFormat(SourceFile.Check(path), null, null);

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
