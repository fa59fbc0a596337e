using System;
using ImagePs.Errors;
using ImagePs.Settings;
using ImagePs.Signatures;

namespace ImagePs.Domain;

/// <summary>
/// The domain factory: a new image is Queued, owned by the caller's project, with every field
/// validated (Glance's ImageFactory.new_image). It does not touch the catalog.
/// </summary>
internal sealed class ImageFactory : IImageFactory
{
    private readonly CallerContext _caller;
    private readonly Func<DateTime> _utcNow;

    public ImageFactory(CallerContext caller, Func<DateTime>? utcNow = null)
    {
        _caller = caller;
        _utcNow = utcNow ?? CatalogTime.UtcNow;
    }

    public Image NewImage(ImageDraft draft)
    {
        var id = draft.Id ?? Guid.NewGuid();
        if (id == Guid.Empty) throw ImageErrors.InvalidImageId(id);

        var now = _utcNow();
        var image = new Image(id, ImageStatus.Queued, now, now);
        image.SetName(draft.Name);
        image.SetDiskFormat(draft.DiskFormat);
        image.SetContainerFormat(draft.ContainerFormat);
        image.SetVisibility(draft.Visibility);
        image.SetProtected(draft.Protected);
        image.SetHidden(draft.Hidden);
        image.SetMinDisk(draft.MinDisk);
        image.SetMinRam(draft.MinRam);
        image.SetOwner(_caller.Project);
        foreach (var tag in draft.Tags) image.AddTag(tag);
        foreach (var property in draft.Properties) image.SetProperty(property.Key, property.Value);
        ImageSignature.FromProperties(image.Properties); // all four signature properties or none
        return image;
    }
}
