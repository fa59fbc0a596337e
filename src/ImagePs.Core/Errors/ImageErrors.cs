using System;
using System.Globalization;

namespace ImagePs;

/// <summary>
/// The one list of every error the core raises, each with its stable id and kind. Messages come
/// from Resources/Messages.resx and always name the offending value.
/// </summary>
public static class ImageErrors
{
    private static string F(string format, params object?[] args) =>
        string.Format(CultureInfo.CurrentCulture, format, args);

    // --- finding images -------------------------------------------------------------------------
    public static ImageNotFoundException NotFound(Guid id) =>
        new("ImageNotFound", F(Messages.ImageNotFound, id), id);

    public static ImageNotFoundException NameNotFound(string name) =>
        new("ImageNotFound", F(Messages.ImageNameNotFound, name), name);

    public static ImagePsException InvalidWildcardPattern(string pattern) =>
        new("InvalidWildcardPattern", ErrorKind.InvalidArgument, F(Messages.InvalidWildcardPattern, Shorten(pattern)), pattern);

    public static ImageConflictException AlreadyExists(Guid id) =>
        new("ImageAlreadyExists", ErrorKind.ResourceExists, F(Messages.ImageAlreadyExists, id), id);

    // --- status ---------------------------------------------------------------------------------
    public static ImagePsException InvalidTransition(Image image, ImageStatus to) =>
        new("InvalidStatusTransition", ErrorKind.InvalidOperation,
            F(Messages.InvalidStatusTransition, image.Id, image.Status, to), image);

    public static ImageConflictException StatusConflict(Image image, ImageStatus expected, ImageStatus actual) =>
        new("ImageConflict", ErrorKind.ResourceBusy, F(Messages.ImageConflict, image.Id, expected, actual), image);

    public static ImagePsException FormatsRequired(Image image) =>
        new("ImageFormatsRequired", ErrorKind.InvalidOperation, F(Messages.ImageFormatsRequired, image.Id), image);

    public static ImagePsException ImageProtected(Image image) =>
        new("ImageProtected", ErrorKind.PermissionDenied, F(Messages.ImageProtected, image.Id, image.Name), image);

    public static ImagePsException FormatNotChangeable(Image image, string attribute, string? current, string requested) =>
        new("ImageFormatNotChangeable", ErrorKind.InvalidOperation,
            F(Messages.ImageFormatNotChangeable, image, image.Status, attribute, current, requested), image);

    public static ImagePsException CannotDeactivate(Image image) =>
        new("InvalidStatusTransition", ErrorKind.InvalidOperation, F(Messages.CannotDeactivate, image, image.Status), image);

    public static ImagePsException CannotReactivate(Image image) =>
        new("InvalidStatusTransition", ErrorKind.InvalidOperation, F(Messages.CannotReactivate, image, image.Status), image);

    public static ImagePsException ImageDeactivated(Image image) =>
        new("ImageDeactivated", ErrorKind.PermissionDenied, F(Messages.ImageDeactivated, image), image);

    // --- validation -----------------------------------------------------------------------------
    public static ImagePsException InvalidImageId(Guid id) =>
        new("InvalidImageId", ErrorKind.InvalidArgument, F(Messages.InvalidImageId, id), id);

    public static ImagePsException InvalidName(string name, string reason) =>
        new("InvalidImageName", ErrorKind.InvalidArgument, F(Messages.InvalidImageName, Shorten(name), reason), name);

    public static ImagePsException InvalidDiskFormat(string value) =>
        new("InvalidDiskFormat", ErrorKind.InvalidArgument,
            F(Messages.InvalidDiskFormat, Shorten(value), string.Join(", ", ImageFormats.DiskFormats)), value);

    public static ImagePsException InvalidContainerFormat(string value) =>
        new("InvalidContainerFormat", ErrorKind.InvalidArgument,
            F(Messages.InvalidContainerFormat, Shorten(value), string.Join(", ", ImageFormats.ContainerFormats)), value);

    public static ImagePsException InvalidMinDisk(int value) =>
        new("InvalidMinDisk", ErrorKind.InvalidArgument, F(Messages.InvalidMinDisk, value), value);

    public static ImagePsException InvalidMinRam(int value) =>
        new("InvalidMinRam", ErrorKind.InvalidArgument, F(Messages.InvalidMinRam, value), value);

    public static ImagePsException InvalidTag(string tag, string reason) =>
        new("InvalidTag", ErrorKind.InvalidArgument, F(Messages.InvalidTag, Shorten(tag), reason), tag);

    public static ImagePsException InvalidProperty(string key, string reason) =>
        new("InvalidProperty", ErrorKind.InvalidArgument, F(Messages.InvalidProperty, Shorten(key), reason), key);

    public static ImagePsException ReservedProperty(string key) =>
        new("ReservedProperty", ErrorKind.PermissionDenied, F(Messages.ReservedProperty, key), key);

    public static ImagePsException ReadOnlyProperty(string key) =>
        new("ReadOnlyProperty", ErrorKind.PermissionDenied, F(Messages.ReadOnlyProperty, key), key);

    public static ImagePsException BaseAttributeNotRemovable(string key) =>
        new("InvalidProperty", ErrorKind.InvalidArgument, F(Messages.InvalidProperty, Shorten(key), Messages.ReasonBaseAttributeNotRemovable), key);

    // --- the data source ------------------------------------------------------------------------
    public static ImagePsException SourceNotFound(string path) =>
        new("SourceFileNotFound", ErrorKind.ObjectNotFound, F(Messages.SourceFileNotFound, path), path);

    public static ImagePsException SourceIsDirectory(string path) =>
        new("SourceIsDirectory", ErrorKind.InvalidArgument, F(Messages.SourceIsDirectory, path), path);

    public static ImagePsException PathNotFileSystem(string path) =>
        new("PathNotFileSystem", ErrorKind.InvalidArgument, F(Messages.PathNotFileSystem, path), path);

    public static ImagePsException SourceAccessDenied(string path, Exception inner) =>
        new("SourceAccessDenied", ErrorKind.PermissionDenied, F(Messages.SourceAccessDenied, path, inner.Message), path, inner);

    public static ImagePsException SourceReadFailed(string path, Exception inner) =>
        new("SourceReadFailed", ErrorKind.ReadError, F(Messages.SourceReadFailed, path, inner.Message), path, inner);

    // --- upload limits and integrity ------------------------------------------------------------
    public static ImagePsException SizeMismatch(Guid id, long expected, long actual, bool more) =>
        new("ImageSizeMismatch", ErrorKind.InvalidData,
            F(more ? Messages.ImageSizeMismatchMore : Messages.ImageSizeMismatch, id, expected, actual), id);

    public static ImagePsException SizeCapExceeded(Guid id, long cap) =>
        new("ImageSizeCapExceeded", ErrorKind.LimitsExceeded, F(Messages.ImageSizeCapExceeded, id, cap), id);

    // --- the store ------------------------------------------------------------------------------
    public static ImageConflictException DataAlreadyStored(Guid id, string path) =>
        new("ImageDataExists", ErrorKind.ResourceExists, F(Messages.ImageDataExists, id, path), id);

    public static ImagePsException StorageFull(string path, Exception inner) =>
        new("StorageFull", ErrorKind.WriteError, F(Messages.StorageFull, path, inner.Message), path, inner);

    public static ImagePsException StoreAccessDenied(string path, Exception inner) =>
        new("StoreAccessDenied", ErrorKind.PermissionDenied, F(Messages.StoreAccessDenied, path, inner.Message), path, inner);

    public static ImagePsException StoreWriteFailed(string path, Exception inner) =>
        new("StoreWriteFailed", ErrorKind.WriteError, F(Messages.StoreWriteFailed, path, inner.Message), path, inner);

    public static ImagePsException InvalidLocation(string url) =>
        new("InvalidLocation", ErrorKind.InvalidData, F(Messages.InvalidLocation, url), url);

    // --- the repository folder, settings and catalog --------------------------------------------
    public static ImagePsException InvalidSettings(string path, string key, string reason) =>
        new("InvalidSettings", ErrorKind.InvalidData, F(Messages.InvalidSettings, path, key, reason), path);

    public static ImagePsException RepositoryUnavailable(string path, Exception inner) =>
        new("RepositoryUnavailable", ErrorKind.ResourceUnavailable, F(Messages.RepositoryUnavailable, path, inner.Message), path, inner);

    public static ImagePsException CatalogUnavailable(string path, Exception inner) =>
        new("CatalogUnavailable", ErrorKind.ResourceUnavailable, F(Messages.CatalogUnavailable, path, inner.Message), path, inner);

    public static ImagePsException CatalogSchemaTooNew(string path, long found, long supported) =>
        new("CatalogSchemaTooNew", ErrorKind.InvalidOperation, F(Messages.CatalogSchemaTooNew, path, found, supported), path);

    /// <summary>Long user values are cut in messages so one bad argument cannot flood a console.</summary>
    internal static string Shorten(string value) => value.Length <= 80 ? value : value.Substring(0, 77) + "...";
}
