using System.Threading;
using ImagePs.Formats;
using ImagePs.Store;

namespace ImagePs.Layers;

/// <summary>
/// The location layer (Glance's glance/location.py), upload side: streams the data into the store
/// behind the size cap, records size, checksum, os_hash_* and the location, then inspects what was
/// stored (Formats/ContentVerifier): unsafe content or a disk format mismatch throws, and the
/// failure path (ImageService.UploadData) deletes the data again and puts the image back to Queued.
/// The stored copy is inspected rather than the source so that the bytes checked are exactly the
/// bytes kept (a source file can change between a check and the copy); only headers are read.
/// </summary>
internal sealed class LocationDataWriter : IImageDataWriter
{
    private readonly IImageStore _store;
    private readonly RepositorySettings _settings;
    private readonly ContentVerifier _verifier;

    public LocationDataWriter(IImageStore store, IVirtualSizeProbe probe, RepositorySettings settings, IOperationObserver observer)
    {
        _store = store;
        _settings = settings;
        _verifier = new ContentVerifier(settings, probe, observer);
    }

    public void SetData(Image image, ImageDataSource source, CancellationToken cancellationToken)
    {
        var cap = _settings.ImageSizeCap;
        if (source.Size > cap) throw ImageErrors.SizeCapExceeded(image.Id, cap);
        var capped = new LimitingStream(source.Data, cap, () => ImageErrors.SizeCapExceeded(image.Id, cap));

        var stored = _store.Add(image.Id, capped, source.Size, cancellationToken);
        image.SetData(stored.Size, stored.Md5, stored.HashAlgo, stored.HashValue, new ImageLocation(stored.Location));

        var verified = _verifier.VerifyUpload(image, () => _store.OpenRead(stored.Location), _store.GetLocalPath(stored.Location), cancellationToken);
        image.SetVirtualSize(verified.VirtualSize);
        if (verified.DisagreeingQemuSize is long qemuSize)
            image.SetProperty(ContentVerifier.QemuVirtualSizeProperty, qemuSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        else
            image.RemoveProperty(ContentVerifier.QemuVirtualSizeProperty);
    }

    public void DeleteData(Image image)
    {
        foreach (var location in image.Locations) _store.Delete(location.Url);
        image.ClearData();
    }
}

/// <summary>
/// The location layer, catalog side: removing an image also deletes its data. The catalog is
/// updated first, so a failure can leave an orphan file (reported) but never an active image
/// without data.
/// </summary>
internal sealed class LocationImageRepository : IImageRepository
{
    private readonly IImageRepository _inner;
    private readonly IImageStore _store;
    private readonly IOperationObserver _observer;

    public LocationImageRepository(IImageRepository inner, IImageStore store, IOperationObserver observer)
    {
        _inner = inner;
        _store = store;
        _observer = observer;
    }

    public void Add(Image image) => _inner.Add(image);

    public Image Get(System.Guid id) => _inner.Get(id);

    public System.Collections.Generic.IEnumerable<Image> List(ImageQuery query) => _inner.List(query);

    public void Save(Image image, ImageStatus? fromStatus = null) => _inner.Save(image, fromStatus);

    public void Remove(Image image)
    {
        _inner.Remove(image);
        foreach (var location in image.Locations)
        {
            try
            {
                _store.Delete(location.Url);
            }
            catch (ImagePsException e)
            {
                _observer.Warning(string.Format(Messages.DataNotDeleted, image, e.Message));
            }
        }
    }
}
