namespace ImagePs;

/// <summary>Creates new, validated, Queued images. Layers wrap it in the gateway.</summary>
public interface IImageFactory
{
    Image NewImage(ImageDraft draft);
}
