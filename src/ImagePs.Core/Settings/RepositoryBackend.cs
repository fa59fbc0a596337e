using ImagePs.Catalog;
using ImagePs.Formats;
using ImagePs.Store;

namespace ImagePs;

/// <summary>
/// One opened repository: its settings, catalog, store and virtual-size probe. The embedded default
/// is SQLite plus the filesystem store; another backend is chosen here, nowhere else.
/// </summary>
public sealed class RepositoryBackend
{
    private RepositoryBackend(RepositoryFolder folder, RepositorySettings settings, IImageRepository catalog, IImageStore store, IVirtualSizeProbe probe)
    {
        Folder = folder;
        Settings = settings;
        Catalog = catalog;
        Store = store;
        Probe = probe;
    }

    public RepositoryFolder Folder { get; }
    public RepositorySettings Settings { get; }
    public IImageRepository Catalog { get; }
    public IImageStore Store { get; }
    public IVirtualSizeProbe Probe { get; }

    public static RepositoryBackend Open(RepositoryFolder folder)
    {
        folder.EnsureCreated();
        var settings = RepositorySettings.Load(folder.SettingsPath);
        var catalog = SqliteImageRepository.Open(folder.CatalogPath);
        var store = new FileSystemImageStore(folder.StorePath);
        var probe = new QemuImgProbe(settings.QemuImgPath);
        return new RepositoryBackend(folder, settings, catalog, store, probe);
    }
}
