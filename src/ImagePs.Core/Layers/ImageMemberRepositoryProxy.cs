using System;
using System.Collections.Generic;
using ImagePs.Catalog;

namespace ImagePs.Layers;

/// <summary>A layer over the member repository that passes everything through; see <see cref="ImageRepositoryProxy"/>.</summary>
internal abstract class ImageMemberRepositoryProxy : IImageMemberRepository
{
    protected ImageMemberRepositoryProxy(IImageMemberRepository inner)
    {
        Inner = inner;
    }

    protected IImageMemberRepository Inner { get; }

    public virtual void Add(Image image, ImageMember member) => Inner.Add(image, member);

    public virtual ImageMember? Find(Image image, string memberId) => Inner.Find(image, memberId);

    public virtual IReadOnlyList<ImageMember> List(Image image) => Inner.List(image);

    public virtual ISet<Guid> ImagesSharedWith(string memberId, IReadOnlyCollection<ImageMemberStatus>? statuses) =>
        Inner.ImagesSharedWith(memberId, statuses);

    public virtual void Save(Image image, ImageMember member) => Inner.Save(image, member);

    public virtual void Remove(Image image, ImageMember member) => Inner.Remove(image, member);
}
