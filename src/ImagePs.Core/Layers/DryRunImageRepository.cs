using ImagePs.Catalog;


namespace ImagePs.Layers;

/// <summary>
/// The innermost step of the gateway's check chain: reads go to the catalog, writes do nothing. The
/// layers above it (authorization, property protections, policy, quotas) refuse exactly as they would
/// on a real save, so a cmdlet can refuse a change before it asks for confirmation or shows -WhatIf.
/// </summary>
internal sealed class DryRunImageRepository : ImageRepositoryProxy
{
    public DryRunImageRepository(IImageRepository catalog) : base(catalog)
    {
    }

    public override void Add(Image image)
    {
    }

    public override void Save(Image image, ImageStatus? fromStatus = null)
    {
    }

    public override void Remove(Image image)
    {
    }
}
