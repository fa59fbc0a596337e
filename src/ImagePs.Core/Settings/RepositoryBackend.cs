using ImagePs.Catalog;
using ImagePs.Events;
using ImagePs.Formats;
using ImagePs.Policy;
using ImagePs.PropertyProtection;
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

    /// <summary>Memberships of shared images, in the same catalog.</summary>
    public IImageMemberRepository Members { get; private set; } = null!;

    /// <summary>The policy rules in force: Glance's defaults overlaid with the policy file, if any.</summary>
    internal PolicyRules Policy { get; private set; } = PolicyRules.Defaults;

    /// <summary>The property protections in force (none without a file).</summary>
    internal PropertyProtectionRules PropertyProtections { get; private set; } = PropertyProtectionRules.None;

    /// <summary>The events log every change is reported to.</summary>
    internal ImageEventLog Events { get; private set; } = null!;

    public static RepositoryBackend Open(RepositoryFolder folder, IOperationObserver? observer = null)
    {
        folder.EnsureCreated();
        var settings = RepositorySettings.Load(folder.SettingsPath);
        var catalog = SqliteImageRepository.Open(folder.CatalogPath);
        var store = new FileSystemImageStore(folder.StorePath);
        var leases = new FileUploadLeases(folder.UploadsPath);
        var probe = new QemuImgProbe(settings.QemuImgPath);
        var backend = new RepositoryBackend(folder, settings, catalog, catalog, store, leases, probe)
        {
            Members = new SqliteImageMemberRepository(catalog),
            Policy = PolicyRules.Load(folder.FindPolicyFile(settings)),
            PropertyProtections = settings.PropertyProtectionFile is { } protections
                ? PropertyProtectionRules.Load(folder.Resolve(protections))
                : PropertyProtectionRules.None,
            Events = new ImageEventLog(folder.EventsPath, folder.EventsLockPath),
        };

        observer ??= SilentObserver.Instance;
        foreach (var recovered in backend.Recovery.RecoverAbandoned(observer))
            observer.Warning(string.Format(Messages.RecoveredAbandonedUpload, recovered));
        return backend;
    }
}
