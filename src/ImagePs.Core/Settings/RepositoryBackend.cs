using ImagePs.Catalog;
using ImagePs.Formats;
using ImagePs.Signatures;
using ImagePs.Store;

namespace ImagePs;

/// <summary>
/// One opened repository: its settings, catalog, store, upload leases, signing certificates and
/// virtual-size probe. The embedded default is SQLite plus the filesystem store; another backend is
/// chosen here, nowhere else. Opening also recovers uploads abandoned by processes that are gone.
/// </summary>
public sealed class RepositoryBackend
{
    private RepositoryBackend(RepositoryFolder folder, RepositorySettings settings, IImageRepository catalog,
        IStorageUsage storageUsage, IImageStore store, IUploadLeases leases, IVirtualSizeProbe probe)
    {
        Folder = folder;
        Settings = settings;
        Catalog = catalog;
        StorageUsage = storageUsage;
        Store = store;
        Leases = leases;
        Probe = probe;
        Certificates = new SignatureCertificates(settings.CertificatesPath ?? folder.CertificatesPath);
        Recovery = new UploadRecovery(catalog, store, leases);
    }

    public RepositoryFolder Folder { get; }
    public RepositorySettings Settings { get; }
    public IImageRepository Catalog { get; }
    public IStorageUsage StorageUsage { get; }
    public IImageStore Store { get; }
    public IUploadLeases Leases { get; }
    public IVirtualSizeProbe Probe { get; }
    internal SignatureCertificates Certificates { get; }
    internal UploadRecovery Recovery { get; }

    public static RepositoryBackend Open(RepositoryFolder folder, IOperationObserver? observer = null)
    {
        folder.EnsureCreated();
        var settings = RepositorySettings.Load(folder.SettingsPath);
        var catalog = SqliteImageRepository.Open(folder.CatalogPath);
        var store = new FileSystemImageStore(folder.StorePath);
        var leases = new FileUploadLeases(folder.UploadsPath);
        var probe = new QemuImgProbe(settings.QemuImgPath);
        var backend = new RepositoryBackend(folder, settings, catalog, catalog, store, leases, probe);

        foreach (var recovered in backend.Recovery.RecoverAbandoned())
            observer?.Warning(string.Format(Messages.RecoveredAbandonedUpload, recovered));
        return backend;
    }
}
