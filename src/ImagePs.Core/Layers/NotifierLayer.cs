using System;
using System.Collections.Generic;
using System.Threading;
using ImagePs.Catalog;
using ImagePs.Events;

namespace ImagePs.Layers;

/// <summary>
/// The notifier layer, catalog side (Glance's notifier.ImageRepoProxy): after each change succeeds,
/// <c>image.create</c>, <c>image.update</c> (and <c>image.activate</c> when an upload makes the
/// image active) or <c>image.delete</c>. Nothing is sent for a change that failed.
/// </summary>
internal sealed class NotifierImageRepository : ImageRepositoryProxy
{
    private readonly ImageNotifier _notifier;

    public NotifierImageRepository(IImageRepository inner, ImageNotifier notifier) : base(inner)
    {
        _notifier = notifier;
    }

    public override void Add(Image image)
    {
        Inner.Add(image);
        _notifier.Image("image.create", image);
    }

    public override void Save(Image image, ImageStatus? fromStatus = null)
    {
        var from = fromStatus ?? image.PersistedStatus;
        Inner.Save(image, fromStatus);
        if (from == ImageStatus.Saving && image.Status == ImageStatus.Active) _notifier.Image("image.activate", image);
        _notifier.Image("image.update", image);
    }

    public override void Remove(Image image)
    {
        Inner.Remove(image);
        _notifier.Image("image.delete", image, _notifier.Deleted());
    }
}

/// <summary>
/// The notifier layer, upload side (Glance's notifier.ImageProxy.set_data): <c>image.prepare</c>
/// before the data is stored, then <c>image.upload</c>, or on failure an <c>image.upload</c> error
/// whose payload is the message.
/// </summary>
internal sealed class NotifierDataWriter : ImageDataWriterProxy
{
    private readonly ImageNotifier _notifier;

    public NotifierDataWriter(IImageDataWriter inner, ImageNotifier notifier) : base(inner)
    {
        _notifier = notifier;
    }

    public override UploadOutcome SetData(Image image, ImageDataSource source, CancellationToken cancellationToken)
    {
        _notifier.Image("image.prepare", image, ImportProperties());
        UploadOutcome outcome;
        try
        {
            outcome = Inner.SetData(image, source, cancellationToken);
        }
        catch (Exception e)
        {
            _notifier.Error("image.upload", image, string.Format(Messages.UploadFailedEvent, image.Id, e.Message));
            throw;
        }
        _notifier.Image("image.upload", image, ImportProperties());
        return outcome;
    }

    /// <summary>Glance adds the stores an import is going to and those that failed; a plain upload has neither.</summary>
    private static IEnumerable<KeyValuePair<string, object?>> ImportProperties() => new[]
    {
        new KeyValuePair<string, object?>("os_glance_importing_to_stores", Array.Empty<string>()),
        new KeyValuePair<string, object?>("os_glance_failed_import", Array.Empty<string>()),
    };
}

/// <summary>The notifier layer for members: <c>image.member.create</c>, <c>.update</c>, <c>.delete</c>.</summary>
internal sealed class NotifierImageMemberRepository : ImageMemberRepositoryProxy
{
    private readonly ImageNotifier _notifier;

    public NotifierImageMemberRepository(IImageMemberRepository inner, ImageNotifier notifier) : base(inner)
    {
        _notifier = notifier;
    }

    public override void Add(Image image, ImageMember member)
    {
        Inner.Add(image, member);
        _notifier.Member("image.member.create", member);
    }

    public override void Save(Image image, ImageMember member)
    {
        Inner.Save(image, member);
        _notifier.Member("image.member.update", member);
    }

    public override void Remove(Image image, ImageMember member)
    {
        Inner.Remove(image, member);
        _notifier.Member("image.member.delete", member, _notifier.Deleted());
    }
}
