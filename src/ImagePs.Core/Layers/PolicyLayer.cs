using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using ImagePs.Catalog;
using ImagePs.Domain;
using ImagePs.Errors;
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
internal sealed class PolicyImageRepository : ImageRepositoryProxy
{
    private readonly PolicyEnforcer _policy;

    public PolicyImageRepository(IImageRepository inner, PolicyEnforcer policy) : base(inner)
    {
        _policy = policy;
    }

    public override Image Get(Guid id)
    {
        var image = Inner.Get(id);
        return _policy.Allows(PolicyActions.GetImage, image) ? image : throw ImageErrors.NotFound(id);
    }

    public override IEnumerable<Image> List(ImageQuery query)
    {
        _policy.Enforce(PolicyActions.GetImages, PolicyTarget.ForCaller(_policy.Caller), null);
        return Inner.List(query);
    }

    public override long Count(ImageQuery query)
    {
        _policy.Enforce(PolicyActions.GetImages, PolicyTarget.ForCaller(_policy.Caller), null);
        return Inner.Count(query);
    }

    public override void Save(Image image, ImageStatus? fromStatus = null)
    {
        foreach (var action in Actions(image, fromStatus ?? image.PersistedStatus)) EnforceOn(_policy, action, image);
        Inner.Save(image, fromStatus);
    }

    public override void Remove(Image image)
    {
        EnforceOn(_policy, PolicyActions.DeleteImage, image);
        Inner.Remove(image);
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
            if (from == ImageStatus.PendingDelete && to is ImageStatus.Active or ImageStatus.Deactivated) return new[] { PolicyActions.RestoreImage };
            return new[] { PolicyActions.ModifyImage };
        }

        // Same status: an edit. Making the image public or community has its own rule, checked first as Glance does.
        if (VisibilityAction(image.Visibility) is { } action && Inner.Get(image.Id).Visibility != image.Visibility)
            return new[] { action, PolicyActions.ModifyImage };
        return new[] { PolicyActions.ModifyImage };
    }
}

/// <summary>The policy layer, upload side: <c>upload_image</c>.</summary>
internal sealed class PolicyDataWriter : ImageDataWriterProxy
{
    private readonly PolicyEnforcer _policy;

    public PolicyDataWriter(IImageDataWriter inner, PolicyEnforcer policy) : base(inner)
    {
        _policy = policy;
    }

    public override UploadOutcome SetData(Image image, ImageDataSource source, CancellationToken cancellationToken)
    {
        PolicyImageRepository.EnforceOn(_policy, PolicyActions.UploadImage, image);
        return Inner.SetData(image, source, cancellationToken);
    }
}

/// <summary>
/// The policy layer for members (Glance's MemberAPIPolicy): the image must pass <c>get_image</c>
/// (else it is not found), then <c>add_member</c>, <c>get_member</c> / <c>get_members</c>,
/// <c>modify_member</c> or <c>delete_member</c>.
/// </summary>
internal sealed class PolicyImageMemberRepository : ImageMemberRepositoryProxy
{
    private readonly PolicyEnforcer _policy;

    public PolicyImageMemberRepository(IImageMemberRepository inner, PolicyEnforcer policy) : base(inner)
    {
        _policy = policy;
    }

    public override void Add(Image image, ImageMember member)
    {
        Enforce(PolicyActions.AddMember, image);
        Inner.Add(image, member);
    }

    public override ImageMember? Find(Image image, string memberId)
    {
        Enforce(PolicyActions.GetMember, image);
        return Inner.Find(image, memberId);
    }

    public override IReadOnlyList<ImageMember> List(Image image)
    {
        Enforce(PolicyActions.GetMembers, image);
        return Inner.List(image).Where(_ => _policy.Allows(PolicyActions.GetMember, image)).ToList();
    }

    public override void Save(Image image, ImageMember member)
    {
        Enforce(PolicyActions.ModifyMember, image);
        Inner.Save(image, member);
    }

    public override void Remove(Image image, ImageMember member)
    {
        Enforce(PolicyActions.DeleteMember, image);
        Inner.Remove(image, member);
    }

    private void Enforce(string action, Image image)
    {
        if (!_policy.Allows(PolicyActions.GetImage, image)) throw ImageErrors.NotFound(image.Id);
        _policy.Enforce(action, image);
    }
}
