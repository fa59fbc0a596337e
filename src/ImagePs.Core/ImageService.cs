using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using ImagePs.Catalog;
using ImagePs.Domain;
using ImagePs.Errors;
using ImagePs.Events;
using ImagePs.Formats;
using ImagePs.Layers;
using ImagePs.Policy;
using ImagePs.PropertyProtection;
using ImagePs.Settings;
using ImagePs.Store;
using ImagePs.Transfer;
using ImagePs.Usage;
using ImagePs.Verification;

namespace ImagePs;

/// <summary>
/// What the cmdlets do, one method each, on top of the gateway for one caller. This is where an
/// upload's status changes: lease taken, Queued → Saving (compare-and-swap) → data → Active
/// (compare-and-swap), and back to Queued with the data deleted when anything fails.
/// </summary>
internal sealed class ImageService
{
    private readonly Gateway _gateway;
    private readonly IOperationObserver _observer;

    public ImageService(RepositoryBackend backend, CallerContext caller, IOperationObserver observer)
    {
        Backend = backend;
        _observer = observer;
        _gateway = new Gateway(backend, caller, observer);
    }

    public RepositoryBackend Backend { get; }

    /// <summary>Who this service acts for.</summary>
    public CallerContext Caller => _gateway.Caller;

    /// <summary>Opens the repository named by the environment (see <see cref="RepositoryFolder.FromEnvironment"/>).</summary>
    public static ImageService Open(IOperationObserver? observer = null, CallerContext? caller = null, RepositoryFolder? folder = null)
    {
        observer ??= SilentObserver.Instance;
        var backend = RepositoryBackend.Open(folder ?? RepositoryFolder.FromEnvironment(), observer);
        return new ImageService(backend, caller ?? CallerContext.Resolve(backend.Settings, backend.Policy), observer);
    }

    /// <summary>The caller's view of a repository opened for reading (<see cref="RepositoryBackend.OpenForReading"/>).</summary>
    public static ImageService ForReading(RepositoryBackend backend) =>
        new(backend, CallerContext.Resolve(backend.Settings, backend.Policy), SilentObserver.Instance);

    /// <param name="prepare">Sets what only the engine sets (system properties) before the record is added.</param>
    public Image CreateImage(ImageDraft draft, Action<Image>? prepare = null)
    {
        var image = _gateway.ImageFactory.NewImage(draft);
        prepare?.Invoke(image);
        _gateway.ImageRepository.Add(image);
        return image;
    }

    public Image GetImage(Guid id) => _gateway.ImageRepository.Get(id);

    public IEnumerable<Image> FindImages(ImageQuery query) => _gateway.ImageRepository.List(query);

    /// <summary>How many images the query matches, its paging aside.</summary>
    public long CountImages(ImageQuery query) => _gateway.ImageRepository.Count(query);

    /// <summary>
    /// Get-ImageUsage: per owner, images, uploads under way and bytes stored, with the quota limits.
    /// An administrator sees every owner (and its own project, always); anyone else only its own project, always reported.
    /// Read from the catalog directly, so images the caller cannot list are still counted for its project.
    /// </summary>
    /// <param name="owners">Only these owners (an owner without images still gets a row); null for all the caller may see.</param>
    public IReadOnlyList<ImageUsage> GetUsage(IReadOnlyCollection<string>? owners = null)
    {
        var caller = _gateway.Caller;
        IReadOnlyList<string>? shown = caller.IsAdmin
            ? owners?.Distinct(StringComparer.Ordinal).ToList()
            : new[] { caller.Project }.Where(p => owners is null || owners.Contains(p, StringComparer.Ordinal)).ToList();
        if (shown is { Count: 0 }) return Array.Empty<ImageUsage>();
        // Every status, PendingDelete included: its data is still stored.
        var query = new ImageQuery { Owners = shown, Statuses = Enum.GetValues<ImageStatus>() };
        return ImageUsageReport.Summarize(Backend.Catalog.List(query), Backend.Settings, shown ?? new[] { caller.Project });
    }

    /// <summary>Refuses, before anything is asked or changed, an image that cannot be deleted.</summary>
    public static void CheckRemovable(Image image)
    {
        if (image.Protected) throw ImageErrors.ImageProtected(image);
    }

    /// <summary>
    /// Remove-Image: with DelayedDeleteSeconds set, an image with data goes to PendingDelete (data
    /// kept, restorable until the window ends; Glance's delayed_delete); otherwise it is Deleted and
    /// its data deleted at once. Either way the notifier sends <c>image.delete</c>, as Glance does.
    /// </summary>
    public void RemoveImage(Guid id)
    {
        var image = _gateway.ImageRepository.Get(id);
        if (Backend.Settings.DelayedDeleteSeconds <= 0 || !image.DelayDelete()) image.Delete();
        _gateway.ImageRepository.Remove(image);
        Backend.Leases.Forget(id);
    }

    /// <summary>Now, for delayed-delete windows (tests move it on instead of waiting).</summary>
    internal Func<DateTime> UtcNow { get; init; } = CatalogTime.UtcNow;

    /// <summary>
    /// Restore-Image, in memory: reads the PendingDelete image and returns it to the status it had,
    /// refusing (<c>ImageNotRestorable</c>) an image in another status, past its window, whose data
    /// is gone from the store, or deleted for good. Save it with <see cref="SaveImage"/> (rule
    /// <c>restore_image</c>, an <c>image.update</c> event); <see cref="CheckSave"/> checks that first.
    /// </summary>
    public Image PrepareRestore(Guid id)
    {
        Image image;
        try
        {
            image = _gateway.ImageRepository.Get(id);
        }
        catch (ImageNotFoundException)
        {
            if (Backend.FindDeleted(id) is { } gone && (Caller.IsAdmin || gone.Owner == Caller.Project)) throw ImageErrors.ImageDeletedForGood(gone);
            throw;
        }
        if (image.Status != ImageStatus.PendingDelete) throw ImageErrors.ImageNotRestorable(image);
        var scrubber = Backend.Scrubber;
        if (scrubber.IsExpired(image, UtcNow())) throw ImageErrors.RestoreWindowEnded(image, Backend.Settings.DelayedDeleteSeconds, scrubber.WindowEnd(image));
        foreach (var location in image.Locations)
        {
            if (!scrubber.DataExists(location.Url)) throw ImageErrors.RestoreDataMissing(image, location.Url);
        }
        image.RestoreFromPendingDelete();
        return image;
    }

    /// <summary>Restore-Image in one call.</summary>
    public Image RestoreImage(Guid id) => SaveImage(PrepareRestore(id));

    /// <summary>
    /// Clear-DeletedImage's list: the PendingDelete images to scrub now, past their window or every
    /// one (<paramref name="all"/>). Only an administrator scrubs: it deletes every project's data.
    /// </summary>
    public IReadOnlyList<Image> FindScrubbable(bool all)
    {
        if (!Caller.IsAdmin) throw ImageErrors.PolicyDenied(PolicyActions.ContextIsAdmin, Caller, null);
        return Backend.Scrubber.Due(UtcNow(), all);
    }

    /// <summary>Scrubs one image from <see cref="FindScrubbable"/>: data deleted, then the row Deleted (no event, as Glance's scrubber).</summary>
    public void ScrubImage(Image image)
    {
        if (!Caller.IsAdmin) throw ImageErrors.PolicyDenied(PolicyActions.ContextIsAdmin, Caller, null);
        Backend.Scrubber.Scrub(image, UtcNow());
        Backend.Leases.Forget(image.Id);
        _observer.Verbose(string.Format(Messages.ImageScrubbed, image));
    }

    /// <summary>Clear-DeletedImage's sweep: data in the store no live image has; returns the locations deleted.</summary>
    public IReadOnlyList<string> SweepOrphanedData()
    {
        if (!Caller.IsAdmin) throw ImageErrors.PolicyDenied(PolicyActions.ContextIsAdmin, Caller, null);
        var deleted = Backend.Scrubber.SweepOrphans();
        foreach (var location in deleted) _observer.Verbose(string.Format(Messages.OrphanDeleted, location));
        return deleted;
    }

    /// <summary>
    /// What every command that changes the repository does first, for any caller (the housekeeping
    /// Glance's scrubber service does), bounded: scrubs up to <see cref="ImageScrubber.PerCommandLimit"/>
    /// images past their window, and deletes the data of up to <see cref="ImageScrubber.PerCommandDataLimit"/>
    /// deleted images that their delete left in the store (a process that died between the catalog
    /// update and the store delete). Two indexed catalog queries when there is nothing to do. A
    /// failure is a warning: the command goes on. Returns the images scrubbed.
    /// </summary>
    public IReadOnlyList<Image> ScrubExpired()
    {
        if (Backend.Catalog is SqlImageRepository { IsWritable: false }) return Array.Empty<Image>();
        SweepDataOfDeletedImages();
        var now = UtcNow();
        var scrubbed = new List<Image>();
        // Without the setting the window is 0: images left PendingDelete when it was removed are scrubbed.
        foreach (var image in Backend.Scrubber.Due(now, all: false, ImageScrubber.PerCommandLimit))
        {
            try
            {
                Backend.Scrubber.Scrub(image, now);
                Backend.Leases.Forget(image.Id);
                scrubbed.Add(image);
                _observer.Verbose(string.Format(Messages.ImageScrubbed, image));
            }
            catch (ImagePsException e)
            {
                _observer.Warning(string.Format(Messages.ScrubFailed, image, e.Message));
            }
        }
        return scrubbed;
    }

    private void SweepDataOfDeletedImages()
    {
        var deleted = Backend.Scrubber.SweepDataToDelete(ImageScrubber.PerCommandDataLimit,
            (location, e) => _observer.Warning(string.Format(Messages.DataSweepFailed, location, e.Message)));
        foreach (var location in deleted) _observer.Verbose(string.Format(Messages.OrphanDeleted, location));
    }

    // --- changing an image: read, apply in memory (every rule checked), then save ---------------
    // The cmdlets check the save's rules (CheckSave) and ask for confirmation between the apply and
    // the save; the save is a compare-and-swap on the status and row version the image was read
    // with. When another command changed the image meanwhile, SaveChange applies the change again to
    // the current record (its rules checked again), a few times, before giving up with ImageConflict.

    /// <summary>How many times a change is tried against a record that other commands keep changing.</summary>
    internal const int SaveAttempts = 10;

    /// <summary>Set-Image in one call: reads the image, applies the changes, saves it.</summary>
    public Image UpdateImage(Guid id, ImageChanges changes)
    {
        var image = GetImage(id);
        ApplyChanges(image, changes);
        return SaveChange(image, current =>
        {
            ApplyChanges(current, changes);
            return !changes.IsEmpty;
        });
    }

    /// <summary>
    /// Refuses, without saving anything, a save of <paramref name="image"/> that the gateway would
    /// refuse (ownership, property protections, policy, quotas): called before a confirmation prompt.
    /// </summary>
    public void CheckSave(Image image) => _gateway.ChangeCheck.Save(image);

    /// <summary>
    /// Saves <paramref name="image"/>; when another command changed the record meanwhile, reads the
    /// current record and lets <paramref name="reapply"/> change it again (false: nothing left to
    /// change), up to <see cref="SaveAttempts"/> times. Returns the image as saved.
    /// </summary>
    public Image SaveChange(Image image, Func<Image, bool> reapply)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                _gateway.ImageRepository.Save(image);
                return image;
            }
            catch (ImageConflictException) when (attempt < SaveAttempts)
            {
                // Two writers that retry in step collide again and again: a random pause that grows
                // with each attempt lets one of them through first.
                Thread.Sleep(Random.Shared.Next(attempt * 5, attempt * 25));
                var current = GetImage(image.Id);
                if (!reapply(current)) return current;
                image = current;
            }
        }
    }

    /// <summary>Checks and applies <paramref name="changes"/> to an image in memory; nothing is saved.</summary>
    public static void ApplyChanges(Image image, ImageChanges changes) => changes.ApplyTo(image);

    /// <summary>Glance's deactivate, in memory: false when the image already was Deactivated.</summary>
    public static bool Deactivate(Image image) => image.Deactivate();

    /// <summary>Glance's reactivate, in memory: false when the image already was Active.</summary>
    public static bool Reactivate(Image image) => image.Reactivate();

    /// <summary>Saves an image read and changed by this service, through the gateway's repository.</summary>
    public Image SaveImage(Image image)
    {
        _gateway.ImageRepository.Save(image);
        return image;
    }

    /// <summary>Disable-Image in one call; an image already Deactivated is left as it is.</summary>
    public Image DeactivateImage(Guid id)
    {
        var image = GetImage(id);
        return Deactivate(image) ? SaveChange(image, Deactivate) : image;
    }

    /// <summary>Enable-Image in one call; an image already Active is left as it is.</summary>
    public Image ReactivateImage(Guid id)
    {
        var image = GetImage(id);
        return Reactivate(image) ? SaveChange(image, Reactivate) : image;
    }

    /// <summary>Uploads a file's content into a Queued image.</summary>
    public Image UploadData(Guid id, string path, UploadOptions? options, CancellationToken cancellationToken)
    {
        options ??= UploadOptions.None;
        using var file = SourceFile.Open(path, out var length, cancellationToken);
        if (options.Size is long declared && length is long actual && declared != actual)
            throw ImageErrors.DeclaredSizeMismatch(id, path, declared, actual);
        var source = new ImageDataSource(file, options.Size ?? length, path)
        {
            ExpectedChecksum = options.Checksum,
            ExpectedOsHashValue = options.OsHashValue,
        };
        return UploadData(id, source, cancellationToken);
    }

    public Image UploadData(Guid id, ImageDataSource source, CancellationToken cancellationToken)
    {
        Image uploaded;
        using (Backend.Leases.TryAcquire(id) ?? throw ImageErrors.UploadInProgress(id))
        {
            uploaded = UploadHoldingLease(id, source, cancellationToken);
        }
        // An Active image never takes data again, so its lease marker can go.
        Backend.Leases.Forget(id);
        return uploaded;
    }

    private Image UploadHoldingLease(Guid id, ImageDataSource source, CancellationToken cancellationToken)
    {
        // Saving with the lease free: its uploader died after this repository was opened.
        Backend.Recovery.RecoverHeld(id);

        var repository = _gateway.ImageRepository;
        var image = repository.Get(id);
        if (image.DiskFormat is null && source.DetectedDiskFormat is not null) image.SetDiskFormat(source.DetectedDiskFormat);
        image.SetStatus(ImageStatus.Saving);
        repository.Save(image, ImageStatus.Queued);
        _observer.Verbose(string.Format(Messages.UploadStarted, image, source.Description));

        var meter = new ProgressMeter(_observer, id, string.Format(Messages.ActivityUploading, image), source.Description,
            source.ProgressPosition is null ? source.Size : source.ProgressTotal);
        var position = source.ProgressPosition;
        source.Progress = position is null ? meter.Report : _ => meter.Report(position());
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var outcome = _gateway.DataWriter.SetData(image, source, cancellationToken);
            var elapsed = clock.Elapsed;
            // Set-Image may change an image while its data streams: the final save starts from the
            // catalog's current record and adds only what the upload produced, so no change is lost.
            for (var attempt = 1; ; attempt++)
            {
                var current = repository.Get(id);
                current.TakeUploadedDataFrom(image);
                current.SetStatus(ImageStatus.Active);
                try
                {
                    repository.Save(current, ImageStatus.Saving);
                    ReportUpload(current, source, elapsed, outcome);
                    return current;
                }
                catch (ImageConflictException) when (attempt < SaveAttempts && repository.Get(id).Status == ImageStatus.Saving)
                {
                    // A Set-Image saved between the read and the save: start again from its record.
                }
            }
        }
        catch (Exception)
        {
            Restore(image);
            throw;
        }
        finally
        {
            meter.Complete();
        }
    }

    /// <summary>The one verbose record of a finished upload: what was stored, how fast, its hashes, where its virtual size came from.</summary>
    private void ReportUpload(Image image, ImageDataSource source, TimeSpan elapsed, UploadOutcome outcome)
    {
        var bytes = image.Size ?? 0;
        var seconds = Math.Max(elapsed.TotalSeconds, 1e-6);
        _observer.Verbose(string.Format(CultureInfo.CurrentCulture, Messages.UploadReport, image, source.Description,
            bytes, elapsed.TotalSeconds, bytes / seconds / (1024 * 1024), image.Checksum, image.OsHashValue, outcome.VirtualSizeOrigin));
    }

    /// <summary>
    /// Writes an Active image's data to <paramref name="destination"/> (a file, or a folder to put
    /// &lt;name&gt;.&lt;format&gt; in), verifying size, MD5 and SHA-512 against the catalog as it streams.
    /// Returns the file written.
    /// </summary>
    public string DownloadData(Guid id, string destination, bool overwrite, CancellationToken cancellationToken)
    {
        var image = _gateway.ImageRepository.Get(id);
        CheckDownloadAllowed(image);
        var target = DataDownload.TargetPath(image, destination);
        var meter = new ProgressMeter(_observer, id, string.Format(Messages.ActivityDownloading, image), target, image.Size);
        try
        {
            DataDownload.Run(Backend.Store, image, target, overwrite, meter.Report, cancellationToken,
                Backend.Store is FileSystemImageStore files ? new[] { Backend.Folder.Root, files.Root } : new[] { Backend.Folder.Root });
        }
        finally
        {
            meter.Complete();
        }
        return target;
    }

    /// <summary>
    /// Test-Image for one image (get it with <see cref="GetImage"/>: that hides images the caller
    /// cannot see): rule <c>verify_image</c> must allow it (default: whoever <c>download_image</c>
    /// allows), then the data is read from the store and checked (<see cref="ImageVerifier"/>) and
    /// the event <c>image.verify</c> is sent, with priority ERROR when the image failed. Nothing else
    /// changes. A Deactivated image is verified for anyone the rule allows: no data leaves the store.
    /// </summary>
    /// <param name="record">False for a dry run (-WhatIf): no event is written.</param>
    public ImageVerification VerifyImage(Image image, Action<long>? progress, CancellationToken cancellationToken, bool record = true)
    {
        PolicyImageRepository.EnforceOn(_gateway.Policy, PolicyActions.VerifyImage, image);
        var verifier = new ImageVerifier(Backend.Store, new ContentVerifier(Backend.Settings, Backend.Probe, _observer));
        var result = verifier.Verify(image, progress, cancellationToken);
        if (result.Reason == ImageVerificationReason.DataMissing)
        {
            // Removed or changed since it was read? Then that is the answer (ImageNotFound), not missing data.
            var current = _gateway.ImageRepository.Get(image.Id);
            if (current.Status != image.Status || current.Locations.FirstOrDefault()?.Url != image.Locations.FirstOrDefault()?.Url)
            {
                image = current;
                result = verifier.Verify(image, progress, cancellationToken);
            }
        }
        if (!record) return result;
        if (result.Passed)
            _gateway.Notifier.Image("image.verify", image, new[]
            {
                new KeyValuePair<string, object?>("verification", result.Reason.ToString()),
                new KeyValuePair<string, object?>("verified_bytes", result.BytesRead),
            });
        else
            _gateway.Notifier.Error("image.verify", image, string.Format(Messages.VerifyFailedEvent, image.Id, result.Reason, result.Message));
        return result;
    }

    /// <summary>One progress bar over a whole Test-Image run.</summary>
    public VerificationProgress StartVerificationProgress(IReadOnlyCollection<Image> images) => new(_observer, images);

    /// <summary>
    /// Whether Test-Image -Deactivate takes this result's image out of service: only when its data was
    /// read (or found missing) and is wrong, and the image is Active. NoData and ReadFailed say nothing
    /// about the data (an unreachable store must not deactivate every image).
    /// </summary>
    public static bool ShouldDeactivate(ImageVerification result) =>
        result.Status == ImageStatus.Active && result.Reason is not (ImageVerificationReason.Intact or ImageVerificationReason.NoData or ImageVerificationReason.ReadFailed);

    /// <summary>
    /// The disk format an image made from a file gets (New-Image -Path): the file is inspected, unsafe
    /// content is refused (UnsafeImage); without a declared format the detected one is used, with one
    /// the content must match it (DiskFormatMismatch, unless RequireDiskFormatMatch is false).
    /// </summary>
    public string ChooseDiskFormat(string path, string? declaredDiskFormat, string? containerFormat) =>
        new ContentVerifier(Backend.Settings, Backend.Probe, _observer).ChooseDiskFormat(SourceFile.Check(path), declaredDiskFormat, containerFormat);

    /// <summary>
    /// Copy-ImageRepository: opens the repository in <paramref name="destinationFolder"/> (created when
    /// missing; its imageps.json says where its catalog and store are) for a copy of this one into it.
    /// Only an administrator copies a repository: it reads every project's images as they are.
    /// </summary>
    public RepositoryCopy CopyRepositoryTo(string destinationFolder)
    {
        if (!Caller.IsAdmin) throw ImageErrors.PolicyDenied(PolicyActions.ContextIsAdmin, Caller, null);
        var destination = RepositoryBackend.Open(new RepositoryFolder(destinationFolder), _observer);
        return new RepositoryCopy(new Transfer.RepositoryCopier(Backend, destination, _observer));
    }

    // --- governance: checks before asking, members, events ------------------------------------------

    /// <summary>
    /// Refuses, before anything is asked or changed, an image this caller may not delete: protected,
    /// not owned (<c>ImageNotOwned</c>) or denied by rule <c>delete_image</c>. The layers enforce the
    /// same again when the image is removed.
    /// </summary>
    public void CheckRemoveAllowed(Image image)
    {
        ImageAccess.CheckChange(Caller, image);
        PolicyImageRepository.EnforceOn(_gateway.Policy, PolicyActions.DeleteImage, image);
        CheckRemovable(image);
    }

    /// <summary>
    /// Refuses, before any data is read, a download this caller may not make (Glance's
    /// image_data.download): rule <c>download_image</c> (default: admin, or a member of a project that
    /// may see the image); a Deactivated image's data only for admins (<c>ImageDeactivated</c>); no data
    /// unless Active (<c>ImageNotActive</c>). Get the image with <see cref="GetImage"/> first: that
    /// already hides images the caller cannot see.
    /// </summary>
    public void CheckDownloadAllowed(Image image)
    {
        PolicyImageRepository.EnforceOn(_gateway.Policy, PolicyActions.DownloadImage, image);
        if (image.Status == ImageStatus.Deactivated)
        {
            if (!Caller.IsAdmin) throw ImageErrors.ImageDeactivated(image);
            return;
        }
        if (image.Status != ImageStatus.Active) throw ImageErrors.ImageNotActive(image);
    }

    /// <summary>Shares a shared image with another project; the membership starts Pending.</summary>
    public ImageMember AddMember(Guid imageId, string memberId)
    {
        var image = SharedImage(imageId);
        var member = ImageMember.New(image.Id, memberId, CatalogTime.UtcNow());
        _gateway.MemberRepository.Add(image, member);
        return member;
    }

    /// <summary>The image's memberships this caller may see: all of them for the owner, its own for a member.</summary>
    public IReadOnlyList<ImageMember> GetMembers(Guid imageId) => _gateway.MemberRepository.List(SharedImage(imageId));

    public ImageMember GetMember(Guid imageId, string memberId)
    {
        var image = SharedImage(imageId);
        return _gateway.MemberRepository.Find(image, memberId) ?? throw ImageErrors.MemberNotFound(image, memberId);
    }

    /// <summary>Accepts, rejects or resets a membership (the member project's decision).</summary>
    public ImageMember SetMemberStatus(Guid imageId, string memberId, ImageMemberStatus status)
    {
        var image = SharedImage(imageId);
        var member = _gateway.MemberRepository.Find(image, memberId) ?? throw ImageErrors.MemberNotFound(image, memberId);
        member.SetStatus(status);
        _gateway.MemberRepository.Save(image, member);
        return member;
    }

    public void RemoveMember(Guid imageId, string memberId)
    {
        var image = SharedImage(imageId);
        var member = _gateway.MemberRepository.Find(image, memberId) ?? throw ImageErrors.MemberNotFound(image, memberId);
        _gateway.MemberRepository.Remove(image, member);
    }

    /// <summary>
    /// Events from the log, oldest first. An admin reads every event; another caller those of its
    /// own project's images, those it caused and those about its memberships. Properties the caller
    /// may not read are left out of the payloads, as from images.
    /// </summary>
    /// <remarks>The events are read as they are enumerated: a long log streams, never held in memory.</remarks>
    public IEnumerable<ImageEvent> FindEvents(ImageEventQuery query)
    {
        var caller = Caller;
        var events = new ImageEventReader(Backend.Events, _observer).Find(query, e => caller.IsAdmin || e.ProjectId == caller.Project
            || e.PayloadField("owner") == caller.Project || e.PayloadField("member_id") == caller.Project);
        return Readable(events);
    }

    private IEnumerable<ImageEvent> Readable(IEnumerable<ImageEvent> events)
    {
        using var reading = events.GetEnumerator();
        while (true)
        {
            try
            {
                if (!reading.MoveNext()) yield break;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw ImageErrors.EventLogUnavailable(Backend.Events.Location, e);
            }
            HideProtectedProperties(reading.Current);
            yield return reading.Current;
        }
    }

    /// <summary>Glance: only shared images have members.</summary>
    private Image SharedImage(Guid imageId)
    {
        var image = _gateway.ImageRepository.Get(imageId);
        return image.Visibility == ImageVisibility.Shared ? image : throw ImageErrors.ImageNotShared(image);
    }

    private void HideProtectedProperties(ImageEvent item)
    {
        var rules = Backend.PropertyProtections;
        if (!rules.Enabled || item.Payload is not IDictionary<string, object?> payload) return;
        if (!payload.TryGetValue("properties", out var value) || value is not IDictionary<string, object?> properties) return;
        foreach (var key in properties.Keys.Where(k => !rules.Allows(k, PropertyOperation.Read, Caller.Roles)).ToList()) properties.Remove(key);
    }

    /// <summary>
    /// Glance's _restore after a failed upload: data deleted, image back to Queued so the upload can
    /// simply be retried. The catalog's copy decides: an image deleted or changed meanwhile is left alone.
    /// </summary>
    private void Restore(Image attempted)
    {
        try
        {
            if (attempted.Locations.Count > 0) _gateway.DataWriter.DeleteData(attempted);
        }
        catch (ImagePsException e)
        {
            _observer.Warning(string.Format(Messages.DataNotDeleted, attempted, e.Message));
        }

        try
        {
            Image current;
            try
            {
                current = _gateway.ImageRepository.Get(attempted.Id);
            }
            catch (ImageNotFoundException)
            {
                return; // deleted during the upload: nothing to restore
            }
            if (current.Status != ImageStatus.Saving) return;
            current.ClearData();
            current.SetStatus(ImageStatus.Queued);
            _gateway.ImageRepository.Save(current, ImageStatus.Saving);
        }
        catch (ImagePsException e)
        {
            _observer.Warning(string.Format(Messages.RestoreFailed, attempted, e.Message));
        }
    }
}
