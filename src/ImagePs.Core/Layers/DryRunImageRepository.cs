using System;
using System.Collections.Generic;

namespace ImagePs.Layers;

/// <summary>
/// The innermost step of the gateway's check chain: reads go to the catalog, writes do nothing. The
/// layers above it (authorization, property protections, policy, quotas) refuse exactly as they would
/// on a real save, so a cmdlet can refuse a change before it asks for confirmation or shows -WhatIf.
/// </summary>
internal sealed class DryRunImageRepository : IImageRepository
{
    private readonly IImageRepository _catalog;

    public DryRunImageRepository(IImageRepository catalog)
    {
        _catalog = catalog;
    }

    public void Add(Image image)
    {
    }

    public Image Get(Guid id) => _catalog.Get(id);

    public IEnumerable<Image> List(ImageQuery query) => _catalog.List(query);

    public void Save(Image image, ImageStatus? fromStatus = null)
    {
    }

    public void Remove(Image image)
    {
    }
}
