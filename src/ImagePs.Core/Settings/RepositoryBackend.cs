using System.Linq;
using ImagePs.Catalog;
using ImagePs.Events;
using ImagePs.Formats;
using ImagePs.Policy;
using ImagePs.PropertyProtection;
using ImagePs.Signatures;
using ImagePs.Store;

namespace ImagePs.Settings;

/// <summary>
/// One opened repository: its settings, catalog, store, upload leases, signing certificates and
/// virtual-size probe. The embedded default is SQLite plus the filesystem store; imageps.json may
/// name a PostgreSQL catalog and an S3 store instead. The providers are chosen here, nowhere else.
/// Opening also recovers uploads abandoned by processes that are gone, when the catalog is writable
/// (a read-only catalog is only read, with a warning that recovery is pending).
/// </summary>
internal sealed class RepositoryBackend
{
    private RepositoryBackend(RepositoryFolder folder, RepositorySettings settings, IImageRepository catalog,
        IStorageUsage storageUsage, IDeleteQueue deletes, IImageStore store, IUploadLeases leases, IVirtualSizeProbe probe)
    {
        Folder = folder;
        Settings = settings;
        Catalog = catalog;
        StorageUsage = storageUsage;
        Deletes = deletes;
        Store = store;
        Leases = leases;
        Probe = probe;
        Certificates = new SignatureCertificates(settings.CertificatesPath ?? folder.CertificatesPath);
        Recovery = new UploadRecovery(catalog, store, leases);
        Scrubber = new ImageScrubber(catalog, deletes, store, leases, settings);
    }

    public RepositoryFolder Folder { get; }
    public RepositorySettings Settings { get; }
    public IImageRepository Catalog { get; }
    public IStorageUsage StorageUsage { get; }

    /// <summary>The catalog's queues of deletes still to finish (delayed deletes, data of deleted images).</summary>
    internal IDeleteQueue Deletes { get; }
    public IImageStore Store { get; }
    public IUploadLeases Leases { get; }
    public IVirtualSizeProbe Probe { get; }
    internal SignatureCertificates Certificates { get; }
    internal UploadRecovery Recovery { get; }

    /// <summary>Delayed deletes past their window, and data no live image has (Clear-DeletedImage, and every changing command).</summary>
    internal ImageScrubber Scrubber { get; }

    /// <summary>The last record of a deleted image, or null (Restore-Image names what it cannot restore).</summary>
    internal Image? FindDeleted(System.Guid id) => Catalog is SqlImageRepository sql ? sql.FindDeleted(id) : null;

    /// <summary>Memberships of shared images, in the same catalog.</summary>
    public IImageMemberRepository Members { get; private set; } = null!;

    /// <summary>The policy rules in force: Glance's defaults overlaid with the policy file, if any.</summary>
    internal PolicyRules Policy { get; private set; } = PolicyRules.Defaults;

    /// <summary>The property protections in force (none without a file).</summary>
    internal PropertyProtectionRules PropertyProtections { get; private set; } = PropertyProtectionRules.None;

    /// <summary>The events log every change is reported to (files beside SQLite, a table in PostgreSQL).</summary>
    internal IImageEventLog Events { get; private set; } = null!;

    public static RepositoryBackend Open(RepositoryFolder folder, IOperationObserver? observer = null)
    {
        folder.EnsureCreated();
        var backend = Create(folder, readOnly: false);

        observer ??= SilentObserver.Instance;
        if (backend.Catalog is SqlImageRepository { IsWritable: true })
        {
            foreach (var recovered in backend.Recovery.RecoverAbandoned(observer))
                observer.Warning(string.Format(Messages.RecoveredAbandonedUpload, recovered));
        }
        else if (backend.Catalog.List(new ImageQuery { Statuses = new[] { ImageStatus.Saving } }).Count() is var saving and > 0)
        {
            observer.Warning(string.Format(Messages.RecoveryPendingReadOnly, saving));
        }
        return backend;
    }

    /// <summary>
    /// The repository for reading only, as tab completion needs it: nothing is created, the catalog is
    /// never migrated or optimized and abandoned uploads are not recovered (the next command does
    /// that); a catalog that would need a migration is CatalogUnavailable. Let go with <see cref="ClosePools"/>.
    /// </summary>
    public static RepositoryBackend OpenForReading(RepositoryFolder folder) => Create(folder, readOnly: true);

    /// <summary>Closes the catalog's idle pooled connections (a repository opened for reading, when it is let go).</summary>
    public void ClosePools()
    {
        if (Catalog is SqliteImageRepository embedded) embedded.ClosePool();
        else if (Catalog is PostgreSqlImageRepository server) server.Connections.ClosePool();
    }

    private static RepositoryBackend Create(RepositoryFolder folder, bool readOnly)
    {
        var settings = RepositorySettings.Load(folder.SettingsPath);
        var (catalog, members, leases) = OpenCatalog(folder, settings, readOnly);
        var store = OpenStore(folder, settings);
        return new RepositoryBackend(folder, settings, catalog, catalog, catalog, store, leases, ProbeFor(settings))
        {
            Members = members,
            Policy = PolicyRules.Load(folder.FindPolicyFile(settings)),
            PropertyProtections = settings.PropertyProtectionFile is { } protections
                ? PropertyProtectionRules.Load(folder.Resolve(protections))
                : PropertyProtectionRules.None,
            Events = OpenEvents(folder, settings, catalog),
        };
    }

    /// <summary>
    /// The catalog named by the settings, its members, and the upload leases that go with it: lock
    /// files beside a SQLite catalog (one machine), advisory locks on a PostgreSQL one (many hosts).
    /// </summary>
    private static (SqlImageRepository Catalog, IImageMemberRepository Members, IUploadLeases Leases) OpenCatalog(RepositoryFolder folder, RepositorySettings settings, bool readOnly)
    {
        (SqlImageRepository, IImageMemberRepository, IUploadLeases) opened;
        if (settings.Catalog.Provider == CatalogProvider.PostgreSql)
        {
            var server = PostgreSqlImageRepository.Open(settings.Catalog.ConnectionString!, folder.SettingsPath, readOnly: readOnly);
            opened = (server, new PostgreSqlImageMemberRepository(server), new PostgreSqlUploadLeases(server.Connections));
        }
        else
        {
            var localStore = settings.Store.Provider == StoreProvider.S3 || readOnly ? null : folder.StorePath;
            var embedded = SqliteImageRepository.Open(folder.CatalogPath, storeFolder: localStore, readOnly: readOnly);
            opened = (embedded, new SqliteImageMemberRepository(embedded), new FileUploadLeases(folder.UploadsPath));
        }
        // The quotas a concurrent writer could slip past are enforced again inside the catalog's transactions.
        opened.Item1.ImageCountQuota = settings.ImageCountQuota;
        opened.Item1.UserStorageQuota = settings.UserStorageQuota;
        return opened;
    }

    /// <summary>
    /// A team's hosts share a PostgreSQL catalog, so its events go to the catalog's table where every
    /// host reads them; beside the embedded catalog they stay in the repository folder's files.
    /// </summary>
    private static IImageEventLog OpenEvents(RepositoryFolder folder, RepositorySettings settings, SqlImageRepository catalog) =>
        catalog is PostgreSqlImageRepository server
            ? new PostgreSqlImageEventLog(server.Connections, settings.EventLogMaxAgeDays)
            : new ImageEventLog(folder.EventsPath, folder.EventsLockPath,
                new EventLogLimits(settings.EventLogMaxBytes, settings.EventLogMaxAgeDays, settings.EventLogMaxFiles));

    private static IImageStore OpenStore(RepositoryFolder folder, RepositorySettings settings) =>
        settings.Store.Provider == StoreProvider.S3 ? new S3ImageStore(settings.Store) : new FileSystemImageStore(folder.StorePath);

    /// <summary>qemu-img reads local files: with an S3 store the virtual size is the native inspector's alone.</summary>
    private static IVirtualSizeProbe ProbeFor(RepositorySettings settings) =>
        settings.Store.Provider == StoreProvider.S3
            ? new UnavailableProbe(Messages.QemuImgNoLocalFile)
            : new QemuImgProbe(settings.QemuImgPath);
}
