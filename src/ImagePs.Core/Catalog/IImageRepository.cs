using System;
using System.Collections.Generic;

namespace ImagePs.Catalog;

/// <summary>
/// The catalog of images (Glance's ImageRepo). Implementations: the SQLite catalog; layers in the
/// gateway decorate it with the same interface.
/// </summary>
internal interface IImageRepository
{
    /// <summary>Stores a new image; an id that exists, or ever existed, is <c>ImageAlreadyExists</c>.</summary>
    void Add(Image image);

    /// <summary>The image with this id, or <c>ImageNotFound</c> (deleted images are not found).</summary>
    Image Get(Guid id);

    /// <summary>Matching images in the query's order (default oldest first) and page, streamed: memory stays flat however many there are.</summary>
    IEnumerable<Image> List(ImageQuery query);

    /// <summary>How many images <see cref="List"/> would give without the query's Skip and First (PowerShell's -IncludeTotalCount).</summary>
    long Count(ImageQuery query);

    /// <summary>
    /// Writes the image if the catalog still holds it in <paramref name="fromStatus"/> (default: the
    /// status it was read with): a compare-and-swap, so a concurrent change is <c>ImageConflict</c>.
    /// </summary>
    void Save(Image image, ImageStatus? fromStatus = null);

    /// <summary>Records a deleted image (its status already Deleted); its id is never reused.</summary>
    void Remove(Image image);
}
