using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;
using ImagePs.Domain;
using ImagePs.Errors;

namespace ImagePs;

/// <summary>
/// An image record: Glance's fields, its status state machine and its validation. Objects handed to
/// PowerShell are snapshots: changing one changes nothing until a cmdlet saves it through the gateway,
/// which is why every mutator is internal.
/// </summary>
public sealed class Image
{
    private readonly SortedSet<string> _tags = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _properties = new(StringComparer.Ordinal);
    private readonly List<ImageLocation> _locations = new();
    private ReadOnlyCollection<string>? _tagView;

    internal Image(Guid id, ImageStatus status, DateTime createdAt, DateTime updatedAt)
    {
        Id = id;
        Status = status;
        PersistedStatus = status;
        CreatedAt = createdAt;
        UpdatedAt = updatedAt;
        Properties = new ImagePropertyView(_properties);
        Locations = new ImageLocationView(_locations);
    }

    public Guid Id { get; }
    public string? Name { get; private set; }
    public ImageStatus Status { get; private set; }
    public string? DiskFormat { get; private set; }
    public string? ContainerFormat { get; private set; }
    public ImageVisibility Visibility { get; private set; } = ImageVisibility.Shared;
    public bool Protected { get; private set; }

    /// <summary>Glance's os_hidden: left out of listings and completion unless asked for; found by id always.</summary>
    public bool Hidden { get; private set; }

    /// <summary>Bytes stored; empty until an upload completes.</summary>
    public long? Size { get; private set; }

    /// <summary>Size of the disk the image represents (what a VM sees), from its format.</summary>
    public long? VirtualSize { get; private set; }

    /// <summary>MD5 of the data, hex (Glance's legacy checksum).</summary>
    public string? Checksum { get; private set; }

    public string? OsHashAlgo { get; private set; }
    public string? OsHashValue { get; private set; }

    /// <summary>Minimum disk in GB.</summary>
    public int MinDisk { get; private set; }

    /// <summary>Minimum RAM in MB.</summary>
    public int MinRam { get; private set; }

    public string? Owner { get; private set; }
    public IReadOnlyList<string> Tags => _tagView ??= new ImageTagView(_tags.ToList());
    public IReadOnlyDictionary<string, string> Properties { get; }
    public IReadOnlyList<ImageLocation> Locations { get; }
    public DateTime CreatedAt { get; }
    public DateTime UpdatedAt { get; private set; }

    /// <summary>
    /// Delayed delete: when Remove-Image moved the image to PendingDelete (its data kept until it is
    /// scrubbed after DelayedDeleteSeconds), null otherwise.
    /// </summary>
    public DateTime? PendingDeleteAt { get; private set; }

    /// <summary>Delayed delete: the status a PendingDelete image had (Active or Deactivated), which Restore-Image returns it to.</summary>
    internal ImageStatus? StatusBeforeDelete { get; private set; }

    /// <summary>The status the catalog holds for this image: the expected value of the next save.</summary>
    internal ImageStatus PersistedStatus { get; private set; }

    /// <summary>The catalog's row version when this image was read or last saved: saves compare-and-swap on it.</summary>
    internal long PersistedVersion { get; private set; }

    /// <summary>"name (id)", the one form every message names an image by; controls in old names are shown as code points.</summary>
    public override string ToString() => Name is null ? Id.ToString() : $"{MisleadingCharacters.Escape(Name)} ({Id})";

    // --- changes allowed through the gateway ----------------------------------------------------

    internal void SetName(string? name)
    {
        ImageValidation.CheckName(name);
        Name = name;
    }

    internal void SetDiskFormat(string? value) => DiskFormat = ImageValidation.CanonicalDiskFormat(value);

    internal void SetContainerFormat(string? value) => ContainerFormat = ImageValidation.CanonicalContainerFormat(value);

    internal void SetVisibility(ImageVisibility value) => Visibility = value;

    internal void SetProtected(bool value) => Protected = value;

    internal void SetHidden(bool value) => Hidden = value;

    internal void SetOwner(string? owner) => Owner = owner;

    internal void SetMinDisk(int value)
    {
        ImageValidation.CheckMinDisk(value);
        MinDisk = value;
    }

    internal void SetMinRam(int value)
    {
        ImageValidation.CheckMinRam(value);
        MinRam = value;
    }

    internal void AddTag(string tag)
    {
        ImageValidation.CheckTag(tag);
        if (_tags.Add(tag)) _tagView = null;
    }

    internal void RemoveTag(string tag)
    {
        if (_tags.Remove(tag)) _tagView = null;
    }

    internal void SetProperty(string key, string value)
    {
        ImageValidation.CheckProperty(key, value);
        _properties[key] = value;
    }

    internal void RemoveProperty(string key) => _properties.Remove(key);

    /// <summary>A property ImagePs records itself (see <see cref="SystemProperties"/>); callers cannot set these.</summary>
    internal void SetSystemProperty(string key, string value)
    {
        if (!SystemProperties.IsSystem(key)) throw new ArgumentException("not a system property", nameof(key));
        _properties[key] = value;
    }

    /// <summary>Moves the image to <paramref name="to"/> if Glance's table allows it.</summary>
    internal void SetStatus(ImageStatus to)
    {
        if (!ImageStatusTransitions.IsAllowed(Status, to))
            throw ImageErrors.InvalidTransition(this, to);
        if (Status == ImageStatus.Queued && (to == ImageStatus.Saving || to == ImageStatus.Active)
            && (DiskFormat is null || ContainerFormat is null))
            throw ImageErrors.FormatsRequired(this);
        if (to == ImageStatus.Queued)
        {
            Size = null;
            VirtualSize = null;
        }
        Status = to;
    }

    /// <summary>Glance's image.delete(): protected images refuse, others become Deleted.</summary>
    internal void Delete()
    {
        if (Protected) throw ImageErrors.ImageProtected(this);
        SetStatus(ImageStatus.Deleted);
    }

    /// <summary>
    /// Glance's image.delete() with delayed_delete: an image with data (Active or Deactivated, with a
    /// location) becomes PendingDelete, remembering its status and when; returns false when it has no
    /// data (then it is not changed: the caller deletes it at once, as Glance does).
    /// </summary>
    internal bool DelayDelete()
    {
        if (Protected) throw ImageErrors.ImageProtected(this);
        if (_locations.Count == 0 || (Status != ImageStatus.Active && Status != ImageStatus.Deactivated)) return false;
        var before = Status;
        SetStatus(ImageStatus.PendingDelete);
        StatusBeforeDelete = before;
        return true;
    }

    /// <summary>The catalog's time of a delayed delete, stamped as it records it.</summary>
    internal void MarkPendingDelete(DateTime at) => PendingDeleteAt = at;

    /// <summary>Clear-DeletedImage -All: the window ends now, so no Restore-Image can take the image back during its scrub.</summary>
    internal void EndDeleteWindow(DateTime endedAt) => PendingDeleteAt = endedAt;

    /// <summary>Restore-Image: a PendingDelete image returns to the status it had before the delete.</summary>
    internal void RestoreFromPendingDelete()
    {
        if (Status != ImageStatus.PendingDelete) throw ImageErrors.ImageNotRestorable(this);
        SetStatus(StatusBeforeDelete ?? ImageStatus.Active);
        StatusBeforeDelete = null;
        PendingDeleteAt = null;
    }

    /// <summary>
    /// Glance's rule for disk and container formats: they may only change while the image is Queued
    /// (or Importing), before any data describes them. Setting the value it already has is no change.
    /// </summary>
    internal void ChangeFormats(string? diskFormat, string? containerFormat)
    {
        var disk = ImageValidation.CanonicalDiskFormat(diskFormat);
        var container = ImageValidation.CanonicalContainerFormat(containerFormat);
        var formatsOpen = Status == ImageStatus.Queued || Status == ImageStatus.Importing;
        if (disk is not null && disk != DiskFormat && !formatsOpen)
            throw ImageErrors.FormatNotChangeable(this, Messages.AttributeDiskFormat, DiskFormat, disk);
        if (container is not null && container != ContainerFormat && !formatsOpen)
            throw ImageErrors.FormatNotChangeable(this, Messages.AttributeContainerFormat, ContainerFormat, container);
        if (disk is not null) DiskFormat = disk;
        if (container is not null) ContainerFormat = container;
    }

    /// <summary>
    /// Glance's image.deactivate(): Active becomes Deactivated, an image already Deactivated stays so
    /// (no change, returns false), any other status is refused.
    /// </summary>
    internal bool Deactivate()
    {
        if (Status == ImageStatus.Deactivated) return false;
        if (Status != ImageStatus.Active) throw ImageErrors.CannotDeactivate(this);
        SetStatus(ImageStatus.Deactivated);
        return true;
    }

    /// <summary>Glance's image.reactivate(): Deactivated becomes Active, Active stays so, others are refused.</summary>
    internal bool Reactivate()
    {
        if (Status == ImageStatus.Active) return false;
        if (Status != ImageStatus.Deactivated) throw ImageErrors.CannotReactivate(this);
        SetStatus(ImageStatus.Active);
        return true;
    }

    /// <summary>What the location layer records once the store holds the data.</summary>
    internal void SetData(long size, string md5, string hashAlgo, string hashValue, ImageLocation location)
    {
        Size = size;
        Checksum = md5;
        OsHashAlgo = hashAlgo;
        OsHashValue = hashValue;
        _locations.Clear();
        _locations.Add(location);
    }

    internal void SetVirtualSize(long? value) => VirtualSize = value;

    /// <summary>
    /// Takes what an upload produced (size, hashes, virtual size, locations, ImagePs's own imageps_*
    /// records) from the copy that did the upload, keeping this copy's metadata: the catalog's
    /// current record, which others may have changed while the data streamed.
    /// </summary>
    internal void TakeUploadedDataFrom(Image uploaded)
    {
        Size = uploaded.Size;
        VirtualSize = uploaded.VirtualSize;
        Checksum = uploaded.Checksum;
        OsHashAlgo = uploaded.OsHashAlgo;
        OsHashValue = uploaded.OsHashValue;
        _locations.Clear();
        _locations.AddRange(uploaded.Locations);
        // Only the engine sets system properties, so the upload's set of them is the one to keep.
        foreach (var key in _properties.Keys.Where(SystemProperties.IsSystem).Where(k => !uploaded.Properties.ContainsKey(k)).ToList()) _properties.Remove(key);
        foreach (var property in uploaded.Properties)
        {
            if (SystemProperties.IsSystem(property.Key)) _properties[property.Key] = property.Value;
        }
        if (uploaded.DiskFormat is not null) DiskFormat = uploaded.DiskFormat;
    }

    /// <summary>Where the data is now (a copy of the repository into another store), or nowhere.</summary>
    internal void ReplaceLocations(IEnumerable<ImageLocation> locations)
    {
        _locations.Clear();
        _locations.AddRange(locations);
    }

    /// <summary>Forgets every trace of uploaded data (a failed upload going back to Queued).</summary>
    internal void ClearData()
    {
        Size = null;
        VirtualSize = null;
        Checksum = null;
        OsHashAlgo = null;
        OsHashValue = null;
        _locations.Clear();
    }

    // --- used by catalogs when loading and saving -----------------------------------------------

    internal void MarkPersisted(DateTime updatedAt, long version)
    {
        PersistedStatus = Status;
        PersistedVersion = version;
        UpdatedAt = updatedAt;
    }

    /// <summary>Rebuilds an image read from a catalog, without re-running the creation rules.</summary>
    internal static Image Load(
        Guid id, ImageStatus status, DateTime createdAt, DateTime updatedAt, string? name,
        string? diskFormat, string? containerFormat, ImageVisibility visibility, bool isProtected,
        long? size, long? virtualSize, string? checksum, string? osHashAlgo, string? osHashValue,
        int minDisk, int minRam, string? owner, long version = 0, bool hidden = false,
        ImageStatus? statusBeforeDelete = null, DateTime? pendingDeleteAt = null)
    {
        return new Image(id, status, createdAt, updatedAt)
        {
            PersistedVersion = version,
            Name = name,
            DiskFormat = diskFormat,
            ContainerFormat = containerFormat,
            Visibility = visibility,
            Protected = isProtected,
            Hidden = hidden,
            Size = size,
            VirtualSize = virtualSize,
            Checksum = checksum,
            OsHashAlgo = osHashAlgo,
            OsHashValue = osHashValue,
            MinDisk = minDisk,
            MinRam = minRam,
            Owner = owner,
            StatusBeforeDelete = statusBeforeDelete,
            PendingDeleteAt = pendingDeleteAt,
        };
    }

    internal void LoadTag(string tag)
    {
        _tags.Add(tag);
        _tagView = null;
    }

    internal void LoadProperty(string key, string value) => _properties[key] = value;

    internal void LoadLocation(ImageLocation location) => _locations.Add(location);
}
