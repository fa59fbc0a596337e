namespace ImagePs.Domain;

/// <summary>Creates new, validated, Queued images. Layers wrap it in the gateway.</summary>
internal interface IImageFactory
{
    Image NewImage(ImageDraft draft);
}
