using System.Collections.Generic;
using System.Threading;
using ImagePs.Catalog;
using ImagePs.Transfer;

namespace ImagePs.Transfer;

/// <summary>
/// A copy of the opened repository into another one under way (Copy-ImageRepository): the images to
/// copy, oldest first, and the copy of each. The cmdlet asks (ShouldProcess) between the two.
/// </summary>
internal sealed class RepositoryCopy
{
    private readonly RepositoryCopier _copier;

    internal RepositoryCopy(RepositoryCopier copier)
    {
        _copier = copier;
    }

    /// <summary>The destination: its folder, catalog and store, as messages name them.</summary>
    public string Destination => _copier.DestinationName;

    /// <summary>Every image of the source, deleted ones too (their ids stay used), read as they are copied.</summary>
    public IEnumerable<Item> Images()
    {
        foreach (var record in _copier.Records()) yield return new Item(record);
    }

    /// <summary>Copies one image; an ImagePs error leaves nothing of it in the destination.</summary>
    public ImageCopy Copy(Item item, CancellationToken cancellationToken) => _copier.Copy(item.Record, cancellationToken);

    /// <summary>One image to copy.</summary>
    public sealed class Item
    {
        internal Item(CatalogRecord record) => Record = record;

        public Image Image => Record.Image;

        /// <summary>A deleted image: only its record is copied, so its id is never used again.</summary>
        public bool Deleted => Record.Deleted;

        internal CatalogRecord Record { get; }

        public override string ToString() => Image.ToString();
    }
}
