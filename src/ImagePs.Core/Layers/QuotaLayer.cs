using System.Threading;
using ImagePs.Store;

namespace ImagePs.Layers;

/// <summary>
/// The quota layer, upload side (Glance's user_storage_quota): the upload stream is cut at the
/// owner's remaining storage, and the total is checked again once the data is stored, because two
/// uploads running at once can each fit alone and not together.
/// </summary>
internal sealed class QuotaDataWriter : IImageDataWriter
{
    private readonly IImageDataWriter _inner;
    private readonly IStorageUsage _usage;
    private readonly RepositorySettings _settings;

    public QuotaDataWriter(IImageDataWriter inner, IStorageUsage usage, RepositorySettings settings)
    {
        _inner = inner;
        _usage = usage;
        _settings = settings;
    }

    public void SetData(Image image, ImageDataSource source, CancellationToken cancellationToken)
    {
        var quota = _settings.UserStorageQuota;
        if (quota == 0)
        {
            _inner.SetData(image, source, cancellationToken);
            return;
        }

        var used = _usage.StorageUsedBy(image.Owner, image.Id);
        var remaining = System.Math.Max(0, quota - used);
        if (source.Size > remaining) throw ImageErrors.StorageQuotaExceeded(image, quota, used);
        var limited = new ImageDataSource(
            new LimitingStream(source.Data, remaining, () => ImageErrors.StorageQuotaExceeded(image, quota, used)),
            source.Size, source.Description)
        {
            ExpectedChecksum = source.ExpectedChecksum,
            ExpectedOsHashValue = source.ExpectedOsHashValue,
            Progress = source.Progress,
        };
        _inner.SetData(image, limited, cancellationToken);

        var usedNow = _usage.StorageUsedBy(image.Owner, image.Id);
        if (usedNow + image.Size > quota)
        {
            _inner.DeleteData(image);
            throw ImageErrors.StorageQuotaExceeded(image, quota, usedNow);
        }
    }

    public void DeleteData(Image image) => _inner.DeleteData(image);
}
