using ImagePs.Domain;
using ImagePs.Tests.Support;
using Xunit;
using static ImagePs.ImageStatus;

namespace ImagePs.Tests.Domain;

public class ImageStatusTransitionsTests
{
    // Glance's table, written out independently of the implementation (glance/domain/__init__.py),
    // plus Deactivated <-> PendingDelete for the delayed delete of a Deactivated image and its restore.
    private static readonly Dictionary<ImageStatus, ImageStatus[]> Glance = new()
    {
        [Queued] = new[] { Saving, Uploading, Importing, Active, Deleted },
        [Saving] = new[] { Active, Killed, Deleted, Queued },
        [Uploading] = new[] { Importing, Queued, Deleted },
        [Importing] = new[] { Active, Deleted, Queued },
        [Active] = new[] { PendingDelete, Deleted, Deactivated },
        [Killed] = new[] { Deleted },
        [PendingDelete] = new[] { Deleted, Active, Deactivated },
        [Deactivated] = new[] { Active, Deleted, PendingDelete },
        [Deleted] = Array.Empty<ImageStatus>(),
    };

    public static IEnumerable<object[]> EveryPair() =>
        from source in Enum.GetValues<ImageStatus>()
        from to in Enum.GetValues<ImageStatus>()
        select new object[] { source, to };

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void Table_matches_glance(ImageStatus from, ImageStatus to)
    {
        Assert.Equal(Glance[from].Contains(to), ImageStatusTransitions.IsAllowed(from, to));
    }

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void Image_moves_only_where_the_table_allows(ImageStatus from, ImageStatus to)
    {
        var image = Image.Load(Guid.NewGuid(), from, DateTime.UtcNow, DateTime.UtcNow, "x", "raw", "bare",
            ImageVisibility.Shared, false, null, null, null, null, null, 0, 0, "p");

        if (Glance[from].Contains(to))
        {
            image.SetStatus(to);
            Assert.Equal(to, image.Status);
        }
        else
        {
            var error = Assert.Throws<ImagePsException>(() => image.SetStatus(to));
            Assert.Equal("InvalidStatusTransition", error.ErrorId);
            Assert.Equal(ErrorKind.InvalidOperation, error.Kind);
            Assert.Equal(from, image.Status);
        }
    }

    [Theory]
    [InlineData(Saving)]
    [InlineData(Active)]
    public void Leaving_queued_for_data_needs_both_formats(ImageStatus to)
    {
        var noDisk = Image.Load(Guid.NewGuid(), Queued, DateTime.UtcNow, DateTime.UtcNow, "x", null, "bare",
            ImageVisibility.Shared, false, null, null, null, null, null, 0, 0, "p");
        var noContainer = Image.Load(Guid.NewGuid(), Queued, DateTime.UtcNow, DateTime.UtcNow, "x", "raw", null,
            ImageVisibility.Shared, false, null, null, null, null, null, 0, 0, "p");

        Assert.Equal("ImageFormatsRequired", Assert.Throws<ImagePsException>(() => noDisk.SetStatus(to)).ErrorId);
        Assert.Equal("ImageFormatsRequired", Assert.Throws<ImagePsException>(() => noContainer.SetStatus(to)).ErrorId);
        Assert.Equal(Queued, noDisk.Status);
    }

    [Fact]
    public void Going_back_to_queued_clears_size_and_virtual_size()
    {
        var image = Image.Load(Guid.NewGuid(), Saving, DateTime.UtcNow, DateTime.UtcNow, "x", "raw", "bare",
            ImageVisibility.Shared, false, 10, 20, null, null, null, 0, 0, "p");

        image.SetStatus(Queued);

        Assert.Null(image.Size);
        Assert.Null(image.VirtualSize);
    }

    [Fact]
    public void Protected_image_refuses_delete_and_keeps_its_status()
    {
        using var repository = new TestRepository();
        var image = repository.NewImage(isProtected: true);

        var error = Assert.Throws<ImagePsException>(() => image.Delete());

        Assert.Equal("ImageProtected", error.ErrorId);
        Assert.Equal(ErrorKind.PermissionDenied, error.Kind);
        Assert.Equal(Queued, image.Status);
    }
}
