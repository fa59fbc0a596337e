using System;
using System.Collections.Generic;
using System.Threading;
using ImagePs.Events;

namespace ImagePs.Layers;

/// <summary>
/// The notifier layer, catalog side (Glance's notifier.ImageRepoProxy): after each change succeeds,
/// <c>image.create</c>, <c>image.update</c> (and <c>image.activate</c> when an upload makes the
/// image active) or <c>image.delete</c>. Nothing is sent for a change that failed.
/// </summary>
internal sealed class NotifierImageRepository : IImageRepository
{
    private readonly IImageRepository _inner;
    private readonly ImageNotifier _notifier;

    public NotifierImageRepository(IImageRepository inner, ImageNotifier notifier)
    {
        _inner = inner;
        _notifier = notifier;
    }

    public void Add(Image image)
    {
        _inner.Add(image);
        _notifier.Image("image.create", image);
    }

    public Image Get(Guid id) => _inner.Get(id);

    public IEnumerable<Image> List(ImageQuery query) => _inner.List(query);

    public long Count(ImageQuery query) => _inner.Count(query);

    public void Save(Image image, ImageStatus? fromStatus = null)
    {
        var from = fromStatus ?? image.PersistedStatus;
        _inner.Save(image, fromStatus);
        if (from == ImageStatus.Saving && image.Status == ImageStatus.Active) _notifier.Image("image.activate", image);
        _notifier.Image("image.update", image);
    }

    public void Remove(Image image)
    {
        _inner.Remove(image);
        _notifier.Image("image.delete", image, _notifier.Deleted());
    }
}

/// <summary>
/// The notifier layer, upload side (Glance's notifier.ImageProxy.set_data): <c>image.prepare</c>
/// before the data is stored, then <c>image.upload</c>, or on failure an <c>image.upload</c> error
/// whose payload is the message.
/// </summary>
internal sealed class NotifierDataWriter : IImageDataWriter
{
    private readonly IImageDataWriter _inner;
    private readonly ImageNotifier _notifier;

    public NotifierDataWriter(IImageDataWriter inner, ImageNotifier notifier)
    {
        _inner = inner;
        _notifier = notifier;
    }

    public void SetData(Image image, ImageDataSource source, CancellationToken cancellationToken)
    {
        _notifier.Image("image.prepare", image, ImportProperties());
        try
        {
            _inner.SetData(image, source, cancellationToken);
        }
        catch (Exception e)
        {
            _notifier.Error("image.upload", image, string.Format(Messages.UploadFailedEvent, image.Id, e.Message));
            throw;
        }
        _notifier.Image("image.upload", image, ImportProperties());
    }

    public void DeleteData(Image image) => _inner.DeleteData(image);

    /// <summary>Glance adds the stores an import is going to and those that failed; a plain upload has neither.</summary>
    private static IEnumerable<KeyValuePair<string, object?>> ImportProperties() => new[]
    {
        new KeyValuePair<string, object?>("os_glance_importing_to_stores", Array.Empty<string>()),
        new KeyValuePair<string, object?>("os_glance_failed_import", Array.Empty<string>()),
    };
}

/// <summary>The notifier layer for members: <c>image.member.create</c>, <c>.update</c>, <c>.delete</c>.</summary>
internal sealed class NotifierImageMemberRepository : IImageMemberRepository
{
    private readonly IImageMemberRepository _inner;
    private readonly ImageNotifier _notifier;

    public NotifierImageMemberRepository(IImageMemberRepository inner, ImageNotifier notifier)
    {
        _inner = inner;
        _notifier = notifier;
    }

    public void Add(Image image, ImageMember member)
    {
        _inner.Add(image, member);
        _notifier.Member("image.member.create", member);
    }

    public ImageMember? Find(Image image, string memberId) => _inner.Find(image, memberId);

    public IReadOnlyList<ImageMember> List(Image image) => _inner.List(image);

    public ISet<Guid> ImagesSharedWith(string memberId, IReadOnlyCollection<ImageMemberStatus>? statuses) =>
        _inner.ImagesSharedWith(memberId, statuses);

    public void Save(Image image, ImageMember member)
    {
        _inner.Save(image, member);
        _notifier.Member("image.member.update", member);
    }

    public void Remove(Image image, ImageMember member)
    {
        _inner.Remove(image, member);
        _notifier.Member("image.member.delete", member, _notifier.Deleted());
    }
}
