using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using ImagePs.Catalog;
using ImagePs.Errors;
using ImagePs.Settings;

namespace ImagePs.Layers;

/// <summary>
/// Who may see and who may change an image (Glance's glance/api/authorization.py and the
/// visibility rules of its database layer, db/utils.py is_image_visible): shared by the layer and
/// the service's checks before asking for confirmation.
/// </summary>
internal static class ImageAccess
{
    /// <summary>Only the owner project, or an admin, changes an image; everyone else gets it read-only.</summary>
    public static bool CanChange(CallerContext caller, Image image) =>
        caller.IsAdmin || (image.Owner is not null && image.Owner == caller.Project);

    /// <summary>
    /// Admins see everything; others see their own images, public and community ones, shared ones
    /// they are a member of (whatever the membership's status), and an image without owner.
    /// </summary>
    public static bool CanSee(CallerContext caller, Image image, IImageMemberRepository members)
    {
        if (caller.IsAdmin || image.Owner is null || image.Owner == caller.Project) return true;
        return image.Visibility switch
        {
            ImageVisibility.Public or ImageVisibility.Community => true,
            ImageVisibility.Shared => members.Find(image, caller.Project) is not null,
            _ => false,
        };
    }

    /// <summary>Only the member project (or an admin) accepts or rejects a membership.</summary>
    public static bool CanChangeMembership(CallerContext caller, ImageMember member) =>
        caller.IsAdmin || member.MemberId == caller.Project;

    public static void CheckChange(CallerContext caller, Image image)
    {
        if (!CanChange(caller, image)) throw ImageErrors.ImageNotOwned(image, caller);
    }
}

/// <summary>
/// The authorization layer, catalog side: images another project cannot see do not exist for it
/// (<c>ImageNotFound</c>), and images it does not own are read-only (<c>ImageNotOwned</c>). Listings
/// follow Glance's: without a visibility filter, community images appear only to their owner.
/// </summary>
internal sealed class AuthorizationImageRepository : ImageRepositoryProxy
{
    private static readonly ImageMemberStatus[] AcceptedOnly = { ImageMemberStatus.Accepted };

    private readonly IImageMemberRepository _members;
    private readonly CallerContext _caller;

    /// <param name="members">The catalog's memberships, undecorated: reading them to decide visibility is not a member action.</param>
    public AuthorizationImageRepository(IImageRepository inner, IImageMemberRepository members, CallerContext caller) : base(inner)
    {
        _members = members;
        _caller = caller;
    }

    public override void Add(Image image)
    {
        ImageAccess.CheckChange(_caller, image);
        Inner.Add(image);
    }

    public override Image Get(Guid id)
    {
        var image = Inner.Get(id);
        return ImageAccess.CanSee(_caller, image, _members) ? image : throw ImageErrors.NotFound(id);
    }

    /// <summary>The catalog itself keeps to what the caller may see, so that its pages and counts are the caller's.</summary>
    public override IEnumerable<Image> List(ImageQuery query) => Inner.List(ForCaller(query));

    public override long Count(ImageQuery query) => Inner.Count(ForCaller(query));

    private ImageQuery ForCaller(ImageQuery query)
    {
        var statuses = query.MemberStatuses is { Count: > 0 } asked ? asked : AcceptedOnly;
        var forCaller = query.Clone();
        forCaller.Viewer = new ImageViewer(_caller.Project, _caller.IsAdmin, statuses);
        return forCaller;
    }

    public override void Save(Image image, ImageStatus? fromStatus = null)
    {
        ImageAccess.CheckChange(_caller, image);
        Inner.Save(image, fromStatus);
    }

    public override void Remove(Image image)
    {
        ImageAccess.CheckChange(_caller, image);
        Inner.Remove(image);
    }
}

/// <summary>The authorization layer, upload side: only the owner (or an admin) uploads data.</summary>
internal sealed class AuthorizationDataWriter : ImageDataWriterProxy
{
    private readonly CallerContext _caller;

    public AuthorizationDataWriter(IImageDataWriter inner, CallerContext caller) : base(inner)
    {
        _caller = caller;
    }

    public override UploadOutcome SetData(Image image, ImageDataSource source, CancellationToken cancellationToken)
    {
        ImageAccess.CheckChange(_caller, image);
        return Inner.SetData(image, source, cancellationToken);
    }

    public override void DeleteData(Image image)
    {
        ImageAccess.CheckChange(_caller, image);
        Inner.DeleteData(image);
    }
}

/// <summary>
/// The authorization layer for members (Glance's ImageMemberRepoProxy): the owner adds and removes
/// members and sees them all; a member project sees only its own membership and is the only one
/// (besides an admin) that accepts or rejects it.
/// </summary>
internal sealed class AuthorizationImageMemberRepository : ImageMemberRepositoryProxy
{
    private readonly CallerContext _caller;

    public AuthorizationImageMemberRepository(IImageMemberRepository inner, CallerContext caller) : base(inner)
    {
        _caller = caller;
    }

    public override void Add(Image image, ImageMember member)
    {
        ImageAccess.CheckChange(_caller, image);
        Inner.Add(image, member);
    }

    public override ImageMember? Find(Image image, string memberId)
    {
        if (!ImageAccess.CanChange(_caller, image) && memberId != _caller.Project) return null;
        return Inner.Find(image, memberId);
    }

    public override IReadOnlyList<ImageMember> List(Image image)
    {
        var members = Inner.List(image);
        return ImageAccess.CanChange(_caller, image) ? members : members.Where(m => m.MemberId == _caller.Project).ToList();
    }

    public override void Save(Image image, ImageMember member)
    {
        if (!ImageAccess.CanChangeMembership(_caller, member)) throw ImageErrors.ImageMemberNotOwned(image, member, _caller);
        Inner.Save(image, member);
    }

    public override void Remove(Image image, ImageMember member)
    {
        ImageAccess.CheckChange(_caller, image);
        Inner.Remove(image, member);
    }
}
