using System;
using System.Collections.Generic;
using ImagePs.Catalog;

namespace ImagePs.Layers;

/// <summary>
/// A layer over the image repository that passes everything through (Glance's domain/proxy.py idea):
/// a layer overrides only what it has a say in, and a new repository member is added here once.
/// </summary>
internal abstract class ImageRepositoryProxy : IImageRepository
{
    protected ImageRepositoryProxy(IImageRepository inner)
    {
        Inner = inner;
    }

    protected IImageRepository Inner { get; }

    public virtual void Add(Image image) => Inner.Add(image);

    public virtual Image Get(Guid id) => Inner.Get(id);

    public virtual IEnumerable<Image> List(ImageQuery query) => Inner.List(query);

    public virtual long Count(ImageQuery query) => Inner.Count(query);

    public virtual void Save(Image image, ImageStatus? fromStatus = null) => Inner.Save(image, fromStatus);

    public virtual void Remove(Image image) => Inner.Remove(image);
}
