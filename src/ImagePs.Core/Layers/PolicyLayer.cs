using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using ImagePs.Policy;

namespace ImagePs.Layers;

/// <summary>
/// The policy layer, creation side: <c>add_image</c>, and <c>publicize_image</c> /
/// <c>communitize_image</c> for an image created public / community (Glance's add_image check).
/// </summary>
internal sealed class PolicyImageFactory : IImageFactory
{
    private readonly IImageFactory _inner;
    private readonly PolicyEnforcer _policy;

    public PolicyImageFactory(IImageFactory inner, PolicyEnforcer policy)
    {
        _inner = inner;
        _policy = policy;
    }

    public Image NewImage(ImageDraft draft)
    {
        var target = PolicyTarget.ForCaller(_policy.Caller, draft.Visibility);
        var subject = (object?)draft.Name ?? draft.Id;
        _policy.Enforce(PolicyActions.AddImage, target, subject);
        if (PolicyImageRepository.VisibilityAction(draft.Visibility) is { } action) _policy.Enforce(action, target, subject);
        return _inner.NewImage(draft);
    }
}

/// <summary>
/// The policy layer, catalog side (Glance's glance/api/v2/policy.py ImageAPIPolicy): each change is
/// an action whose rule must allow it, chosen from what the save does: starting or finishing an
/// upload is <c>upload_image</c>, Active→Deactivated <c>deactivate</c>, back <c>reactivate</c>,
/// anything else <c>modify_image</c> (plus <c>publicize_image</c> / <c>communitize_image</c> when the
/// visibility becomes public / community); removing is <c>delete_image</c>, listing
/// <c>get_images</c>. As in Glance, an image whose <c>get_image</c> rule fails is not found, and any
/// other refusal on an image the caller cannot get is not-found too, so a rule never reveals it.
/// </summary>
internal sealed class PolicyImageRepository : IImageRepository
{
    private readonly IImageRepository _inner;
    private readonly PolicyEnforcer _policy;

    public PolicyImageRepository(IImageRepository inner, PolicyEnforcer policy)
    {
        _inner = inner;
        _policy = policy;
    }

    public void Add(Image image) => _inner.Add(image);

    public Image Get(Guid id)
    {
        var image = _inner.Get(id);
        return _policy.Allows(PolicyActions.GetImage, image) ? image : throw ImageErrors.NotFound(id);
    }

    public IEnumerable<Image> List(ImageQuery query)
    {
        _policy.Enforce(PolicyActions.GetImages, PolicyTarget.ForCaller(_policy.Caller), null);
        return _inner.List(query);
    }

    public long Count(ImageQuery query)
    {
        _policy.Enforce(PolicyActions.GetImages, PolicyTarget.ForCaller(_policy.Caller), null);
        return _inner.Count(query);
    }

    public void Save(Image image, ImageStatus? fromStatus = null)
    {
        foreach (var action in Actions(image, fromStatus ?? image.PersistedStatus)) EnforceOn(_policy, action, image);
        _inner.Save(image, fromStatus);
    }

    public void Remove(Image image)
    {
        EnforceOn(_policy, PolicyActions.DeleteImage, image);
        _inner.Remove(image);
    }

    /// <summary>The rule that governs making an image public or community, if any.</summary>
    internal static string? VisibilityAction(ImageVisibility visibility) => visibility switch
    {
        ImageVisibility.Public => PolicyActions.PublicizeImage,
        ImageVisibility.Community => PolicyActions.CommunitizeImage,
        _ => null,
    };

    /// <summary>Refuses with PolicyDenied, or ImageNotFound when the caller may not even get the image (Glance's rule).</summary>
    internal static void EnforceOn(PolicyEnforcer policy, string action, Image image)
    {
        if (policy.Allows(action, image)) return;
        if (!policy.Allows(PolicyActions.GetImage, image)) throw ImageErrors.NotFound(image.Id);
        throw ImageErrors.PolicyDenied(action, policy.Caller, image);
    }

    private IEnumerable<string> Actions(Image image, ImageStatus from)
    {
        var to = image.Status;
        if (from != to)
        {
            if (from is ImageStatus.Saving or ImageStatus.Uploading or ImageStatus.Importing
                || (from == ImageStatus.Queued && to is ImageStatus.Saving or ImageStatus.Uploading or ImageStatus.Importing))
                return new[] { PolicyActions.UploadImage };
            if (from == ImageStatus.Active && to == ImageStatus.Deactivated) return new[] { PolicyActions.Deactivate };
            if (from == ImageStatus.Deactivated && to == ImageStatus.Active) return new[] { PolicyActions.Reactivate };
            return new[] { PolicyActions.ModifyImage };
        }

        // Same status: an edit. Making the image public or community has its own rule, checked first as Glance does.
        if (VisibilityAction(image.Visibility) is { } action && _inner.Get(image.Id).Visibility != image.Visibility)
            return new[] { action, PolicyActions.ModifyImage };
        return new[] { PolicyActions.ModifyImage };
    }
}

/// <summary>The policy layer, upload side: <c>upload_image</c>.</summary>
internal sealed class PolicyDataWriter : IImageDataWriter
{
    private readonly IImageDataWriter _inner;
    private readonly PolicyEnforcer _policy;

    public PolicyDataWriter(IImageDataWriter inner, PolicyEnforcer policy)
    {
        _inner = inner;
        _policy = policy;
    }

    public void SetData(Image image, ImageDataSource source, CancellationToken cancellationToken)
    {
        PolicyImageRepository.EnforceOn(_policy, PolicyActions.UploadImage, image);
        _inner.SetData(image, source, cancellationToken);
    }

    public void DeleteData(Image image) => _inner.DeleteData(image);
}

/// <summary>
/// The policy layer for members (Glance's MemberAPIPolicy): the image must pass <c>get_image</c>
/// (else it is not found), then <c>add_member</c>, <c>get_member</c> / <c>get_members</c>,
/// <c>modify_member</c> or <c>delete_member</c>.
/// </summary>
internal sealed class PolicyImageMemberRepository : IImageMemberRepository
{
    private readonly IImageMemberRepository _inner;
    private readonly PolicyEnforcer _policy;

    public PolicyImageMemberRepository(IImageMemberRepository inner, PolicyEnforcer policy)
    {
        _inner = inner;
        _policy = policy;
    }

    public void Add(Image image, ImageMember member)
    {
        Enforce(PolicyActions.AddMember, image);
        _inner.Add(image, member);
    }

    public ImageMember? Find(Image image, string memberId)
    {
        Enforce(PolicyActions.GetMember, image);
        return _inner.Find(image, memberId);
    }

    public IReadOnlyList<ImageMember> List(Image image)
    {
        Enforce(PolicyActions.GetMembers, image);
        return _inner.List(image).Where(_ => _policy.Allows(PolicyActions.GetMember, image)).ToList();
    }

    public ISet<Guid> ImagesSharedWith(string memberId, IReadOnlyCollection<ImageMemberStatus>? statuses) =>
        _inner.ImagesSharedWith(memberId, statuses);

    public void Save(Image image, ImageMember member)
    {
        Enforce(PolicyActions.ModifyMember, image);
        _inner.Save(image, member);
    }

    public void Remove(Image image, ImageMember member)
    {
        Enforce(PolicyActions.DeleteMember, image);
        _inner.Remove(image, member);
    }

    private void Enforce(string action, Image image)
    {
        if (!_policy.Allows(PolicyActions.GetImage, image)) throw ImageErrors.NotFound(image.Id);
        _policy.Enforce(action, image);
    }
}
