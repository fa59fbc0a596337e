using ImagePs.Layers;

namespace ImagePs;

/// <summary>
/// The composition root (Glance's glance/gateway.py): the only place that stacks the layers around
/// the factory, the repository and the upload step, for one caller. Outermost first, the design's
/// order is authorization, property protection, notifier, policy, quota, location, domain; each
/// layer is one decorator file in Layers/.
/// </summary>
public sealed class Gateway
{
    public Gateway(RepositoryBackend backend, CallerContext caller, IOperationObserver observer)
    {
        IImageFactory factory = new ImageFactory(caller);

        IImageRepository repository = backend.Catalog;
        repository = new LocationImageRepository(repository, backend.Store, observer);

        IImageDataWriter dataWriter = new LocationDataWriter(backend.Store, backend.Probe, backend.Settings, backend.Certificates, observer);
        dataWriter = new QuotaDataWriter(dataWriter, backend.StorageUsage, backend.Settings);

        ImageFactory = factory;
        ImageRepository = repository;
        DataWriter = dataWriter;
    }

    public IImageFactory ImageFactory { get; }
    public IImageRepository ImageRepository { get; }
    public IImageDataWriter DataWriter { get; }
}
