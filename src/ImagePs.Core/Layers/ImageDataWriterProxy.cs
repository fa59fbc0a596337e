using System.Threading;

namespace ImagePs.Layers;

/// <summary>A layer over the upload step that passes everything through; see <see cref="ImageRepositoryProxy"/>.</summary>
internal abstract class ImageDataWriterProxy : IImageDataWriter
{
    protected ImageDataWriterProxy(IImageDataWriter inner)
    {
        Inner = inner;
    }

    protected IImageDataWriter Inner { get; }

    public virtual UploadOutcome SetData(Image image, ImageDataSource source, CancellationToken cancellationToken) =>
        Inner.SetData(image, source, cancellationToken);

    public virtual void DeleteData(Image image) => Inner.DeleteData(image);
}
