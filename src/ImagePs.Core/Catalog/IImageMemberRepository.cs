using System;
using System.Collections.Generic;

namespace ImagePs.Catalog;

/// <summary>
/// The memberships of shared images (Glance's ImageMemberRepo). Implementations: the SQLite
/// catalog; a server catalog later. Layers in the gateway decorate it with the same interface, and
/// get the image each call is about, so they can judge owner and visibility without another read.
/// </summary>
internal interface IImageMemberRepository
{
    /// <summary>Stores a new membership; an existing one is <c>ImageMemberExists</c>.</summary>
    void Add(Image image, ImageMember member);

    /// <summary>The membership of <paramref name="memberId"/> in the image, or null.</summary>
    ImageMember? Find(Image image, string memberId);

    /// <summary>Every membership of the image, oldest first.</summary>
    IReadOnlyList<ImageMember> List(Image image);

    /// <summary>
    /// The ids of the images <paramref name="memberId"/> is a member of, with one of
    /// <paramref name="statuses"/> (null: any status). Used to decide which shared images a project sees.
    /// </summary>
    ISet<Guid> ImagesSharedWith(string memberId, IReadOnlyCollection<ImageMemberStatus>? statuses);

    /// <summary>Writes the membership's status; a membership that is gone is <c>ImageMemberNotFound</c>.</summary>
    void Save(Image image, ImageMember member);

    /// <summary>Deletes the membership; one that is gone is <c>ImageMemberNotFound</c>.</summary>
    void Remove(Image image, ImageMember member);
}
