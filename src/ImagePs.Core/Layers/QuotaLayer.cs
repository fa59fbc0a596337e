using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using ImagePs.Catalog;
using ImagePs.Domain;
using ImagePs.Errors;
using ImagePs.Settings;
using ImagePs.Store;

namespace ImagePs.Layers;

/// <summary>
/// The quota layer, creation side (Glance's quota.ImageFactoryProxy): a new image may carry at most
/// <c>ImageTagQuota</c> tags.
/// </summary>
internal sealed class QuotaImageFactory : IImageFactory
{
    private readonly IImageFactory _inner;
    private readonly RepositorySettings _settings;

    public QuotaImageFactory(IImageFactory inner, RepositorySettings settings)
    {
        _inner = inner;
        _settings = settings;
    }

    public Image NewImage(ImageDraft draft)
    {
        var image = _inner.NewImage(draft);
        Quotas.Check(nameof(RepositorySettings.ImageTagQuota), _settings.ImageTagQuota, image.Tags.Count, image);
        return image;
    }
}

/// <summary>
/// The quota layer, catalog side (Glance's quota.ImageRepoProxy, plus a per-owner image count):
/// <c>ImagePropertyQuota</c> and <c>ImageCountQuota</c> when an image is added; on a save,
/// <c>ImagePropertyQuota</c> / <c>ImageTagQuota</c> when properties / tags were added (an image
/// already over a lowered quota can still be saved without adding more, as in Glance) and
/// <c>ImageLocationQuota</c>, checked already when an upload starts, since it will add a location.
/// Two processes adding images at the same moment can both pass this early count check; the catalog
/// checks the count again inside its insert transaction (<see cref="Catalog.SqlImageRepository.ImageCountQuota"/>).
/// </summary>
internal sealed class QuotaImageRepository : ImageRepositoryProxy
{
    private readonly RepositorySettings _settings;

    public QuotaImageRepository(IImageRepository inner, RepositorySettings settings) : base(inner)
    {
        _settings = settings;
    }

    public override void Add(Image image)
    {
        Quotas.Check(nameof(RepositorySettings.ImagePropertyQuota), _settings.ImagePropertyQuota, image.Properties.Count, image);
        if (_settings.ImageCountQuota > 0 && image.Owner is { } owner)
        {
            var owned = Inner.List(new ImageQuery { Owners = new[] { owner } }).Count();
            if (owned + 1 > _settings.ImageCountQuota)
                throw ImageErrors.ImageCountQuotaExceeded(owner, owned + 1, _settings.ImageCountQuota, image);
        }
        Inner.Add(image);
    }

    public override void Save(Image image, ImageStatus? fromStatus = null)
    {
        var propertiesOver = Quotas.Exceeds(_settings.ImagePropertyQuota, image.Properties.Count);
        var tagsOver = Quotas.Exceeds(_settings.ImageTagQuota, image.Tags.Count);
        if (propertiesOver || tagsOver)
        {
            var stored = Inner.Get(image.Id);
            if (propertiesOver && image.Properties.Keys.Any(k => !stored.Properties.ContainsKey(k)))
                Quotas.Check(nameof(RepositorySettings.ImagePropertyQuota), _settings.ImagePropertyQuota, image.Properties.Count, image);
            if (tagsOver && image.Tags.Any(t => !stored.Tags.Contains(t)))
                Quotas.Check(nameof(RepositorySettings.ImageTagQuota), _settings.ImageTagQuota, image.Tags.Count, image);
        }

        var startsUpload = (fromStatus ?? image.PersistedStatus) == ImageStatus.Queued && image.Status == ImageStatus.Saving;
        Quotas.Check(nameof(RepositorySettings.ImageLocationQuota), _settings.ImageLocationQuota,
            image.Locations.Count + (startsUpload ? 1 : 0), image);
        Inner.Save(image, fromStatus);
    }
}

/// <summary>The quota layer for members (Glance's ImageMemberFactoryProxy): at most <c>ImageMemberQuota</c> members per image.</summary>
internal sealed class QuotaImageMemberRepository : ImageMemberRepositoryProxy
{
    private readonly RepositorySettings _settings;

    public QuotaImageMemberRepository(IImageMemberRepository inner, RepositorySettings settings) : base(inner)
    {
        _settings = settings;
    }

    public override void Add(Image image, ImageMember member)
    {
        if (_settings.ImageMemberQuota >= 0)
            Quotas.Check(nameof(RepositorySettings.ImageMemberQuota), _settings.ImageMemberQuota, Inner.List(image).Count + 1, image);
        Inner.Add(image, member);
    }
}

/// <summary>Glance's quota arithmetic: a negative quota is unlimited; more than the quota is refused.</summary>
internal static class Quotas
{
    public static bool Exceeds(int quota, int attempted) => quota >= 0 && attempted > quota;

    public static void Check(string setting, int quota, int attempted, Image image)
    {
        if (Exceeds(quota, attempted)) throw ImageErrors.QuotaExceeded(setting, attempted, quota, image);
    }
}

/// <summary>
/// The quota layer, upload side (Glance's user_storage_quota): the upload stream is cut at the
/// owner's remaining storage, and the total is checked again once the data is stored, because two
/// uploads running at once can each fit alone and not together; the catalog checks it a last time
/// inside the transaction that makes the image Active, so two uploads finishing together cannot both pass.
/// </summary>
internal sealed class QuotaDataWriter : ImageDataWriterProxy
{
    private readonly IStorageUsage _usage;
    private readonly RepositorySettings _settings;

    public QuotaDataWriter(IImageDataWriter inner, IStorageUsage usage, RepositorySettings settings) : base(inner)
    {
        _usage = usage;
        _settings = settings;
    }

    public override UploadOutcome SetData(Image image, ImageDataSource source, CancellationToken cancellationToken)
    {
        var quota = _settings.UserStorageQuota;
        if (quota == 0) return Inner.SetData(image, source, cancellationToken);

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
        var outcome = Inner.SetData(image, limited, cancellationToken);

        var usedNow = _usage.StorageUsedBy(image.Owner, image.Id);
        if (usedNow + image.Size > quota)
        {
            Inner.DeleteData(image);
            throw ImageErrors.StorageQuotaExceeded(image, quota, usedNow);
        }
        return outcome;
    }
}
