using System;
using System.Collections.Generic;
using System.Globalization;
using ImagePs.Domain;
using ImagePs.Settings;

namespace ImagePs.Errors;

/// <summary>
/// The one list of every error the core raises, each with its stable id and kind. Messages come
/// from Resources/Messages.resx and always name the offending value.
/// </summary>
internal static class ImageErrors
{
    /// <summary>
    /// Formats a message. A text put just before a full stop (a reason, a value, another exception's
    /// message) loses its own final full stop, so no message reads "failed: Disk quota exceeded..".
    /// </summary>
    private static string F(string format, params object?[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is string text && text.EndsWith('.') && !text.EndsWith("...", StringComparison.Ordinal)
                && format.Contains("{" + i.ToString(CultureInfo.InvariantCulture) + "}.", StringComparison.Ordinal))
                args[i] = text.Substring(0, text.Length - 1);
        }
        return string.Format(CultureInfo.CurrentCulture, format, args);
    }

    // --- finding images -------------------------------------------------------------------------
    public static ImageNotFoundException NotFound(Guid id) =>
        new("ImageNotFound", F(Messages.ImageNotFound, id), id);

    public static ImageNotFoundException NameNotFound(string name) =>
        new("ImageNotFound", F(Messages.ImageNameNotFound, name), name);

    /// <summary>The name is only a hidden image's: not listed (as Glance's listing), the message says how to find it.</summary>
    public static ImageNotFoundException NameOnlyHidden(string name) =>
        new("ImageNotFound", F(Messages.ImageNameOnlyHidden, name), name);

    public static ImagePsException InvalidWildcardPattern(string pattern) =>
        new("InvalidWildcardPattern", ErrorKind.InvalidArgument, F(Messages.InvalidWildcardPattern, Shorten(pattern)), pattern);

    public static ImageConflictException AlreadyExists(Guid id) =>
        new("ImageAlreadyExists", ErrorKind.ResourceExists, F(Messages.ImageAlreadyExists, id), id);

    // --- status ---------------------------------------------------------------------------------
    /// <summary>A status move Glance forbids; the message says what the user can do instead of naming the states.</summary>
    public static ImagePsException InvalidTransition(Image image, ImageStatus to) =>
        new("InvalidStatusTransition", ErrorKind.InvalidOperation, F(TransitionMessage(image.Status, to), image, image.Status, to), image);

    private static string TransitionMessage(ImageStatus from, ImageStatus to) => (from, to) switch
    {
        (ImageStatus.Active or ImageStatus.Deactivated or ImageStatus.PendingDelete, ImageStatus.Saving) => Messages.ImageAlreadyHasData,
        (ImageStatus.Saving, ImageStatus.Saving) => Messages.ImageTakingData,
        (ImageStatus.Killed, _) => Messages.ImageKilled,
        _ => Messages.InvalidStatusTransition,
    };

    public static ImageConflictException StatusConflict(Image image, ImageStatus expected, ImageStatus actual) =>
        new("ImageConflict", ErrorKind.ResourceBusy, F(Messages.ImageConflict, image, expected, actual), image);

    public static ImageConflictException UploadInProgress(Guid id) =>
        new("ImageConflict", ErrorKind.ResourceBusy, F(Messages.UploadInProgress, id), id);

    /// <summary>The record's row version moved between read and save: another command changed it.</summary>
    public static ImageConflictException ChangedConcurrently(Image image) =>
        new("ImageConflict", ErrorKind.ResourceBusy, F(Messages.ImageChangedConcurrently, image), image);

    public static ImagePsException FormatsRequired(Image image) =>
        new("ImageFormatsRequired", ErrorKind.InvalidOperation, F(Messages.ImageFormatsRequired, image), image);

    public static ImagePsException ImageProtected(Image image) =>
        new("ImageProtected", ErrorKind.PermissionDenied, F(Messages.ImageProtected, image), image);

    public static ImagePsException FormatNotChangeable(Image image, string attribute, string? current, string requested) =>
        new("ImageFormatNotChangeable", ErrorKind.InvalidOperation,
            F(Messages.ImageFormatNotChangeable, image, image.Status, attribute, current, requested), image);

    public static ImagePsException CannotDeactivate(Image image) =>
        new("InvalidStatusTransition", ErrorKind.InvalidOperation, F(Messages.CannotDeactivate, image, image.Status), image);

    public static ImagePsException CannotReactivate(Image image) =>
        new("InvalidStatusTransition", ErrorKind.InvalidOperation, F(Messages.CannotReactivate, image, image.Status), image);

    public static ImagePsException ImageDeactivated(Image image) =>
        new("ImageDeactivated", ErrorKind.PermissionDenied, F(Messages.ImageDeactivated, image), image);

    /// <summary>Restore-Image on an image that is not PendingDelete.</summary>
    public static ImagePsException ImageNotRestorable(Image image) =>
        new("ImageNotRestorable", ErrorKind.InvalidOperation, F(Messages.ImageNotRestorable, image, image.Status), image);

    /// <summary>Restore-Image after the delayed-delete window (the image is scrubbed, or is about to be).</summary>
    public static ImagePsException RestoreWindowEnded(Image image, long seconds, DateTime endedAt) =>
        new("ImageNotRestorable", ErrorKind.InvalidOperation, F(Messages.RestoreWindowEnded, image, seconds, endedAt), image);

    /// <summary>Restore-Image of an image deleted for good (scrubbed, or removed without a delayed delete).</summary>
    public static ImagePsException ImageDeletedForGood(Image image) =>
        new("ImageNotRestorable", ErrorKind.InvalidOperation, F(Messages.ImageDeletedForGood, image), image);

    /// <summary>Restore-Image of a PendingDelete image whose data is no longer in the store.</summary>
    public static ImagePsException RestoreDataMissing(Image image, string location) =>
        new("ImageNotRestorable", ErrorKind.InvalidOperation, F(Messages.RestoreDataMissing, image, location), image);

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

    /// <summary>A FIFO, device or socket where a regular file is needed (New-Image -Path inspects it).</summary>
    public static ImagePsException SourceNotRegularFile(string path, string kind) =>
        new("SourceNotRegularFile", ErrorKind.InvalidArgument, F(Messages.SourceNotRegularFile, path, kind), path);

    public static ImagePsException SourceAccessDenied(string path, Exception inner) =>
        new("SourceAccessDenied", ErrorKind.PermissionDenied, F(Messages.SourceAccessDenied, path, inner.Message), path, inner);

    public static ImagePsException SourceReadFailed(string path, Exception inner) =>
        new("SourceReadFailed", ErrorKind.ReadError, F(Messages.SourceReadFailed, path, inner.Message), path, inner);

    // --- upload limits and integrity ------------------------------------------------------------
    public static ImagePsException SizeMismatch(Guid id, long expected, long actual, bool more) =>
        new("ImageSizeMismatch", ErrorKind.InvalidData,
            F(more ? Messages.ImageSizeMismatchMore : Messages.ImageSizeMismatch, id, expected, actual), id);

    /// <summary>The file is not the size the caller declared: refused before anything is uploaded.</summary>
    public static ImagePsException DeclaredSizeMismatch(Guid id, string path, long declared, long actual) =>
        new("ImageSizeMismatch", ErrorKind.InvalidData, F(Messages.ImageSizeDeclaredMismatch, id, path, actual, declared), id);

    public static ImagePsException SizeCapExceeded(Guid id, long cap) =>
        new("ImageSizeCapExceeded", ErrorKind.LimitsExceeded, F(Messages.ImageSizeCapExceeded, id, cap), id);

    public static ImagePsException StorageQuotaExceeded(Image image, long quota, long used) =>
        new("StorageQuotaExceeded", ErrorKind.LimitsExceeded, F(Messages.StorageQuotaExceeded, image, image.Owner, quota, used), image.Id);

    public static ImagePsException ChecksumMismatch(Guid id, string declared, string actual) =>
        new("ChecksumMismatch", ErrorKind.InvalidData, F(Messages.ChecksumMismatch, id, Shorten(declared), actual), id);

    public static ImagePsException OsHashValueMismatch(Guid id, string declared, string actual) =>
        new("OsHashValueMismatch", ErrorKind.InvalidData, F(Messages.OsHashValueMismatch, id, Shorten(declared), actual), id);

    // --- signatures -----------------------------------------------------------------------------
    public static ImagePsException InvalidSignatureProperties(string reason) =>
        new("InvalidSignatureProperties", ErrorKind.InvalidArgument, F(Messages.InvalidSignatureProperties, reason), reason);

    public static ImagePsException SignatureCertificateNotFound(string certificateId, string folder) =>
        new("SignatureCertificateNotFound", ErrorKind.ObjectNotFound, F(Messages.SignatureCertificateNotFound, certificateId, folder), certificateId);

    public static ImagePsException SignatureCertificateInvalid(string certificateId, string reason) =>
        new("SignatureCertificateInvalid", ErrorKind.SecurityError, F(Messages.SignatureCertificateInvalid, certificateId, reason), certificateId);

    public static ImagePsException SignatureVerificationFailed(Guid id, string reason) =>
        new("SignatureVerificationFailed", ErrorKind.SecurityError, F(Messages.SignatureVerificationFailed, id, reason), id);

    // --- download -------------------------------------------------------------------------------
    public static ImagePsException ImageNotActive(Image image) =>
        new("ImageNotActive", ErrorKind.InvalidOperation, F(Messages.ImageNotActive, image, image.Status), image);

    public static ImagePsException ImageDataMissing(Image image, string location) =>
        new("ImageDataMissing", ErrorKind.ReadError, F(Messages.ImageDataMissing, image, location), image);

    public static ImagePsException ImageDataCorrupted(Image image, string reason) =>
        new("ImageDataCorrupted", ErrorKind.InvalidData, F(Messages.ImageDataCorrupted, image, reason), image);

    public static ImagePsException DestinationExists(string path) =>
        new("DestinationExists", ErrorKind.ResourceExists, F(Messages.DestinationExists, path), path);

    public static ImagePsException DestinationWriteFailed(string path, Exception inner) =>
        new("DestinationWriteFailed", inner is UnauthorizedAccessException ? ErrorKind.PermissionDenied : ErrorKind.WriteError,
            F(Messages.DestinationWriteFailed, path, inner.Message), path, inner);

    /// <summary>Save-ImageData was given a FIFO, socket, block device or folder as the file to write.</summary>
    public static ImagePsException DestinationNotRegularFile(string path, string kind) =>
        new("DestinationNotRegularFile", ErrorKind.InvalidArgument, F(Messages.DestinationNotRegularFile, path, kind), path);

    /// <summary>Save-ImageData was told to write inside the repository folder or the store.</summary>
    public static ImagePsException InvalidDestination(string path, string folder) =>
        new("InvalidDestination", ErrorKind.InvalidArgument, F(Messages.InvalidDestination, path, folder), path);

    public static ImagePsException DestinationFolderNotFound(string path, string folder) =>
        new("DestinationFolderNotFound", ErrorKind.ObjectNotFound, F(Messages.DestinationFolderNotFound, path, folder), path);

    // --- the store ------------------------------------------------------------------------------
    public static ImageConflictException DataAlreadyStored(Guid id, string path) =>
        new("ImageDataExists", ErrorKind.ResourceExists, F(Messages.ImageDataExists, id, path), id);

    public static ImagePsException StorageFull(string path, Exception inner) =>
        new("StorageFull", ErrorKind.WriteError, F(Messages.StorageFull, path, inner.Message), path, inner);

    public static ImagePsException StoreAccessDenied(string path, Exception inner) =>
        new("StoreAccessDenied", ErrorKind.PermissionDenied, F(Messages.StoreAccessDenied, path, inner.Message), path, inner);

    /// <summary>A file ImagePs keeps in the repository is a link, a device or a folder: it is not opened.</summary>
    public static ImagePsException UnsafeRepositoryFile(string path) =>
        new("UnsafeRepositoryFile", ErrorKind.SecurityError, F(Messages.UnsafeRepositoryFile, path), path);

    public static ImagePsException StoreWriteFailed(string path, Exception inner) =>
        new("StoreWriteFailed", ErrorKind.WriteError, F(Messages.StoreWriteFailed, path, inner.Message), path, inner);

    /// <summary>The bucket does not exist and these credentials may not create it (or may not use it).</summary>
    public static ImagePsException BucketNotCreated(string bucket, string endpoint, Exception inner) =>
        new("StoreAccessDenied", ErrorKind.PermissionDenied, F(Messages.BucketNotCreated, bucket, endpoint, inner.Message), bucket, inner);

    /// <summary>The object store cannot be reached (connection refused, timed out, no answer).</summary>
    public static ImagePsException StoreUnavailable(string endpoint, string bucket, Exception inner) =>
        new("StoreUnavailable", ErrorKind.ResourceUnavailable, F(Messages.StoreUnavailable, endpoint, bucket, inner.Message), endpoint, inner);

    public static ImagePsException InvalidLocation(string url) =>
        new("InvalidLocation", ErrorKind.InvalidData, F(Messages.InvalidLocation, url), url);

    // --- format inspection -----------------------------------------------------------------------
    /// <summary>Data the inspector (or qemu-img) found unsafe; <paramref name="subject"/> is the image or the file.</summary>
    public static UnsafeImageException UnsafeImage(object subject, object? target, IReadOnlyList<SafetyFinding> findings) =>
        new(F(Messages.UnsafeImage, subject, string.Join("; ", System.Linq.Enumerable.Select(findings, f => f.Message))), target, findings);

    public static ImagePsException DiskFormatMismatch(object subject, object? target, string declared, string detected) =>
        new("DiskFormatMismatch", ErrorKind.InvalidData, F(Messages.DiskFormatMismatch, subject, declared, detected), target);

    public static ImagePsException StoreReadFailed(string path, Exception inner) =>
        new("StoreReadFailed", ErrorKind.ReadError, F(Messages.StoreReadFailed, path, inner.Message), path, inner);

    // --- the repository folder, settings and catalog --------------------------------------------
    public static ImagePsException InvalidSettings(string path, string key, string reason) =>
        new("InvalidSettings", ErrorKind.InvalidData, F(Messages.InvalidSettings, path, key, reason), path);

    public static ImagePsException RepositoryUnavailable(string path, Exception inner) =>
        new("RepositoryUnavailable", ErrorKind.ResourceUnavailable, F(Messages.RepositoryUnavailable, path, inner.Message), path, inner);

    public static ImagePsException CatalogUnavailable(string path, Exception inner) =>
        new("CatalogUnavailable", ErrorKind.ResourceUnavailable, F(Messages.CatalogUnavailable, path, inner.Message), path, inner);

    /// <summary>A catalog server that cannot be reached or used; <paramref name="reason"/> is already free of secrets.</summary>
    public static ImagePsException CatalogUnavailable(string catalog, string reason, Exception inner) =>
        new("CatalogUnavailable", ErrorKind.ResourceUnavailable, F(Messages.CatalogUnavailable, catalog, reason), catalog, inner);

    public static ImagePsException CatalogSchemaTooNew(string path, long found, long supported) =>
        new("CatalogSchemaTooNew", ErrorKind.InvalidOperation, F(Messages.CatalogSchemaTooNew, path, found, supported), path);

    /// <summary>A writer gave up waiting for the catalog's write lock, held by another process.</summary>
    public static ImagePsException CatalogBusy(string path, int waitedSeconds, Exception inner) =>
        new("CatalogUnavailable", ErrorKind.ResourceBusy, F(Messages.CatalogBusy, path, waitedSeconds), path, inner);

    /// <summary>The disk (or quota) under the catalog is full; names the folder.</summary>
    public static ImagePsException CatalogFull(string folder, Exception inner) =>
        new("StorageFull", ErrorKind.WriteError, F(Messages.CatalogFull, folder, inner.Message), folder, inner);

    /// <summary>An empty catalog file beside a store that holds data: re-creating it would orphan the data.</summary>
    public static ImagePsException CatalogEmptyWithData(string path, string store) =>
        new("CatalogUnavailable", ErrorKind.InvalidData, F(Messages.CatalogEmptyWithData, path, store), path);

    /// <summary>A catalog this process may only read, written by an older module: it cannot be upgraded here.</summary>
    public static ImagePsException CatalogReadOnlyOutdated(string path, long found, long supported) =>
        new("CatalogUnavailable", ErrorKind.PermissionDenied, F(Messages.CatalogReadOnlyOutdated, path, found, supported), path);

    // --- copying a repository (Copy-ImageRepository) --------------------------------------------
    public static ImagePsException InvalidCopyDestination(string destination, string source) =>
        new("InvalidCopyDestination", ErrorKind.InvalidArgument, F(Messages.InvalidCopyDestination, destination, source), destination);

    public static ImageConflictException ImageCopyConflict(Image image, string destination) =>
        new("ImageCopyConflict", ErrorKind.ResourceExists, F(Messages.ImageCopyConflict, image, destination), image);

    // --- governance: policy, authorization, members, property protections, quotas, events -------
    public static ImagePsException PolicyDenied(string action, CallerContext caller, object? subject) =>
        new("PolicyDenied", ErrorKind.PermissionDenied,
            subject is Image image ? F(Messages.PolicyDeniedImage, action, caller, image) : F(Messages.PolicyDenied, action, caller),
            subject ?? action);

    public static ImagePsException InvalidPolicy(string path, string detail) =>
        new("InvalidPolicy", ErrorKind.InvalidData, F(Messages.InvalidPolicy, path, detail), path);

    public static ImagePsException ImageNotOwned(Image image, CallerContext caller) =>
        new("ImageNotOwned", ErrorKind.PermissionDenied, F(Messages.ImageNotOwned, image, image.Owner, caller), image);

    public static ImagePsException ImageNotShared(Image image) =>
        new("ImageNotShared", ErrorKind.InvalidOperation, F(Messages.ImageNotShared, image, image.Visibility), image);

    public static ImageNotFoundException MemberNotFound(Image image, string memberId) =>
        new("ImageMemberNotFound", F(Messages.ImageMemberNotFound, memberId, image), memberId);

    public static ImageConflictException MemberExists(Image image, string memberId) =>
        new("ImageMemberExists", ErrorKind.ResourceExists, F(Messages.ImageMemberExists, memberId, image), memberId);

    public static ImagePsException ImageMemberNotOwned(Image image, ImageMember member, CallerContext caller) =>
        new("ImageMemberNotOwned", ErrorKind.PermissionDenied, F(Messages.ImageMemberNotOwned, member.MemberId, image, caller), member);

    public static ImagePsException InvalidMemberId(string memberId, string reason) =>
        new("InvalidMemberId", ErrorKind.InvalidArgument, F(Messages.InvalidMemberId, Shorten(memberId), reason), memberId);

    internal static ImagePsException PropertyProtected(string key, PropertyProtection.PropertyOperation operation, CallerContext caller, string? path, string? reason = null) =>
        new("PropertyProtected", ErrorKind.PermissionDenied,
            reason is null
                ? F(Messages.PropertyProtected, Shorten(key), operation.ToString().ToLowerInvariant(), caller, path)
                : F(Messages.PropertyProtectedBecause, Shorten(key), operation.ToString().ToLowerInvariant(), caller, path, reason), key);

    public static ImagePsException InvalidPropertyProtections(string path, string detail) =>
        new("InvalidPropertyProtections", ErrorKind.InvalidData, F(Messages.InvalidPropertyProtections, path, detail), path);

    public static ImagePsException QuotaExceeded(string setting, int attempted, int maximum, Image image) =>
        new("QuotaExceeded", ErrorKind.LimitsExceeded, F(Messages.QuotaExceeded, image, attempted, QuotaNoun(setting), maximum, setting), image);

    public static ImagePsException ImageCountQuotaExceeded(string owner, int attempted, int maximum, Image image) =>
        new("QuotaExceeded", ErrorKind.LimitsExceeded, F(Messages.ImageCountQuotaExceeded, owner, attempted, maximum), image);

    public static ImagePsException EventLogUnavailable(string path, Exception inner) =>
        new("EventLogUnavailable", ErrorKind.ResourceUnavailable, F(Messages.EventLogUnavailable, path, inner.Message), path, inner);

    // --- import (Import-Image) ---------------------------------------------------------------------
    public static ImagePsException ImportSourceUnknown(Image image) =>
        new("ImportSourceUnknown", ErrorKind.InvalidOperation, F(Messages.ImportSourceUnknown, image, image.Status), image);

    public static ImagePsException ImportFormatConflict(string diskFormat, string convertTo) =>
        new("ImportFormatConflict", ErrorKind.InvalidArgument, F(Messages.ImportFormatConflict, Shorten(diskFormat), Shorten(convertTo)), convertTo);

    public static ImagePsException SourceHashMismatch(string source, string expected, string actual) =>
        new("SourceHashMismatch", ErrorKind.InvalidData, F(Messages.SourceHashMismatch, source, expected, actual), source);

    public static ImagePsException ImportHashSourcesConflict() =>
        new("ImportHashSourcesConflict", ErrorKind.InvalidArgument, Messages.ImportHashSourcesConflict);

    public static ImagePsException ImportTemporaryWriteFailed(string path, Exception inner) =>
        new("ImportTemporaryWriteFailed", ErrorKind.WriteError, F(Messages.ImportTemporaryWriteFailed, path, inner.Message), path, inner);
    // --- importing from a URL (Import-Image) ------------------------------------------------------
    // Every url here is UriText.Safe's: never userinfo or credentials.
    public static ImagePsException ImportUriUnsupported(string url) =>
        new("ImportUriUnsupported", ErrorKind.InvalidArgument, F(Messages.ImportUriUnsupported, url), url);

    /// <summary>The import filter (imageps.json Import section) refuses the URL; <paramref name="rule"/> says which rule.</summary>
    public static ImagePsException ImportUriRefused(string url, string rule) =>
        new("ImportUriRefused", ErrorKind.PermissionDenied, F(Messages.ImportUriRefused, url, rule), url);

    public static ImagePsException ImportHttpFailed(string url, int status, string reason) =>
        new("ImportHttpFailed", status switch
        {
            404 or 410 => ErrorKind.ObjectNotFound,
            401 or 403 => ErrorKind.PermissionDenied,
            _ => ErrorKind.ResourceUnavailable,
        }, F(Messages.ImportHttpFailed, url, status, reason), url);

    /// <summary>The server could not be reached or the request failed before any answer.</summary>
    public static ImagePsException ImportRequestFailed(string url, Exception inner) =>
        new("ImportHttpFailed", ErrorKind.ResourceUnavailable, F(Messages.ImportRequestFailed, url, inner.Message), url, inner);

    public static ImagePsException ImportTimedOut(string url, int seconds) =>
        new("ImportTimedOut", ErrorKind.OperationTimeout, F(Messages.ImportTimedOut, url, seconds), url);

    public static ImagePsException ImportConnectionLost(string url, long received, int resumes, string reason) =>
        new("ImportConnectionLost", ErrorKind.ConnectionError, F(Messages.ImportConnectionLost, url, received, resumes, reason), url);

    public static ImagePsException ImportSourceChanged(string url, long received) =>
        new("ImportSourceChanged", ErrorKind.InvalidData, F(Messages.ImportSourceChanged, url, received), url);

    public static ImagePsException ImportTooManyRedirects(string url, int maximum) =>
        new("ImportTooManyRedirects", ErrorKind.InvalidResult, F(Messages.ImportTooManyRedirects, url, maximum), url);

    /// <summary>A redirect answer without a usable Location header.</summary>
    public static ImagePsException ImportBadRedirect(string url, int status) =>
        new("ImportHttpFailed", ErrorKind.InvalidResult, F(Messages.ImportBadRedirect, url, status), url);

    /// <summary>A small text (a checksum file) larger than allowed.</summary>
    public static ImagePsException ImportTextTooLarge(string url, long maximum) =>
        new("ImportTextTooLarge", ErrorKind.LimitsExceeded, F(Messages.ImportTextTooLarge, url, maximum), url);
    // --- importing (Import-Image): temporary files and conversion -------------------------------
    /// <summary>-ConvertTo a format qemu-img is not asked to write (iso, ami, ...).</summary>
    public static ImagePsException ImportConversionUnsupported(string format) =>
        new("ImportConversionUnsupported", ErrorKind.InvalidArgument,
            F(Messages.ImportConversionUnsupported, Shorten(format), string.Join(", ", Import.ImageConverter.TargetFormats)), format);

    /// <summary>A source whose detected format qemu-img cannot read on its own (a LUKS volume needs its key).</summary>
    public static ImagePsException ImportSourceNotConvertible(string path, string format) =>
        new("ImportConversionUnsupported", ErrorKind.InvalidArgument, F(Messages.ImportSourceNotConvertible, path, format), path);

    /// <summary>-ConvertTo without qemu-img: <paramref name="where"/> names the configured path or PATH.</summary>
    public static ImagePsException ImportConverterMissing(string where) =>
        new("ImportConverterMissing", ErrorKind.NotInstalled, F(Messages.ImportConverterMissing, where), where);

    public static ImagePsException ImportConversionFailed(string path, string target, string reason) =>
        new("ImportConversionFailed", ErrorKind.InvalidOperation, F(Messages.ImportConversionFailed, path, target, reason), path);

    /// <summary>The disk (or quota) under the repository's import-temp folder filled up during the conversion.</summary>
    public static ImagePsException ImportConversionDiskFull(string path, string target, string folder, string reason) =>
        new("ImportConversionFailed", ErrorKind.WriteError, F(Messages.ImportConversionDiskFull, path, target, folder, reason), path);

    /// <summary>A temporary file (or its folder) in the repository could not be created.</summary>
    public static ImagePsException ImportTemporaryFileFailed(string path, Exception inner) =>
        new("ImportTemporaryFileFailed", inner is UnauthorizedAccessException ? ErrorKind.PermissionDenied : ErrorKind.WriteError,
            F(Messages.ImportTemporaryFileFailed, path, inner.Message), path, inner);
    // --- importing (Import-Image): decompression, source hashes, checksum files -------------------
    /// <summary>Compressed data that its decoder (a library or the system's tool) refused: corrupt, cut short or not that format.</summary>
    public static ImagePsException ImportDecompressionFailed(string format, string source, Exception inner) =>
        new("ImportDecompressionFailed", ErrorKind.InvalidData, F(Messages.ImportDecompressionFailed, source, format, inner.Message), source, inner);

    /// <summary>A zip that does not hold exactly one file (directory entries aside), as Glance requires.</summary>
    public static ImagePsException ImportZipEntryCount(string source, int count) =>
        new("ImportZipEntryCount", ErrorKind.InvalidData, F(Messages.ImportZipEntryCount, source, count), source);

    public static ImagePsException InvalidSourceHash(string hex, string algorithm, int digits) =>
        new("InvalidSourceHash", ErrorKind.InvalidArgument, F(Messages.InvalidSourceHash, Shorten(hex), algorithm, digits), hex);

    public static ImagePsException InvalidSourceHashAlgorithm(string algorithm) =>
        new("InvalidSourceHash", ErrorKind.InvalidArgument, F(Messages.InvalidSourceHashAlgorithm, Shorten(algorithm)), algorithm);

    /// <summary>The checksum file has no entry for the file; <paramref name="listed"/> names a few it has.</summary>
    public static ImagePsException ChecksumNotListed(string fileName, string checksumFile, string listed) =>
        new("ChecksumNotListed", ErrorKind.ObjectNotFound, F(Messages.ChecksumNotListed, Shorten(fileName), checksumFile, listed), fileName);

    public static ImagePsException ChecksumFileInvalid(string checksumFile) =>
        new("ChecksumFileInvalid", ErrorKind.InvalidData, F(Messages.ChecksumFileInvalid, checksumFile), checksumFile);

    private static string QuotaNoun(string setting) => setting switch
    {
        "ImagePropertyQuota" => Messages.QuotaNounProperties,
        "ImageTagQuota" => Messages.QuotaNounTags,
        "ImageLocationQuota" => Messages.QuotaNounLocations,
        "ImageMemberQuota" => Messages.QuotaNounMembers,
        _ => setting,
    };

    /// <summary>
    /// Long user values are cut in messages so one bad argument cannot flood a console, and controls
    /// are written as code points so the message shows what was typed, not what the controls make of it.
    /// </summary>
    internal static string Shorten(string value)
    {
        value = MisleadingCharacters.Escape(value);
        return value.Length <= 80 ? value : value.Substring(0, 77) + "...";
    }
}
