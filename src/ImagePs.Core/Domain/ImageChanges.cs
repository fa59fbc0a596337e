using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ImagePs.Errors;
using ImagePs.Signatures;

namespace ImagePs.Domain;

/// <summary>
/// What Set-Image asks to change on an existing image (Glance's image PATCH): a null field is left as
/// it is. <see cref="ApplyTo"/> checks every rule before it changes anything, so a refused change
/// leaves the image exactly as it was read.
/// </summary>
internal sealed class ImageChanges
{
    public string? Name { get; set; }
    public ImageVisibility? Visibility { get; set; }
    public bool? Protected { get; set; }

    /// <summary>Glance's os_hidden; as Glance, changing it is modify_image like any other field.</summary>
    public bool? Hidden { get; set; }
    public int? MinDisk { get; set; }
    public int? MinRam { get; set; }

    /// <summary>Only while the image is Queued: <c>ImageFormatNotChangeable</c> otherwise.</summary>
    public string? DiskFormat { get; set; }

    /// <summary>Only while the image is Queued: <c>ImageFormatNotChangeable</c> otherwise.</summary>
    public string? ContainerFormat { get; set; }

    public IList<string> AddTags { get; set; } = new List<string>();

    /// <summary>Tags to remove; a tag the image does not carry is no change.</summary>
    public IList<string> RemoveTags { get; set; } = new List<string>();

    /// <summary>Extra properties to add or replace; the same names are refused as when creating.</summary>
    public IDictionary<string, string?> SetProperties { get; set; } = new Dictionary<string, string?>(StringComparer.Ordinal);

    /// <summary>
    /// Extra properties to remove. A property the image does not have is no change (Glance's JSON
    /// patch answers 409 there; a pipeline over many images is better served by idempotence).
    /// Read-only, reserved and base attribute names are refused as Glance does.
    /// </summary>
    public IList<string> RemoveProperties { get; set; } = new List<string>();

    public bool IsEmpty =>
        Name is null && Visibility is null && Protected is null && Hidden is null && MinDisk is null && MinRam is null &&
        DiskFormat is null && ContainerFormat is null && AddTags.Count == 0 && RemoveTags.Count == 0 &&
        SetProperties.Count == 0 && RemoveProperties.Count == 0;

    /// <summary>
    /// Checks every change against Glance's rules and the image's status, then applies them: removals
    /// before additions, so a tag or property both removed and set ends up set.
    /// </summary>
    internal void ApplyTo(Image image)
    {
        ImageValidation.CheckName(Name);
        if (MinDisk is { } minDisk) ImageValidation.CheckMinDisk(minDisk);
        if (MinRam is { } minRam) ImageValidation.CheckMinRam(minRam);
        foreach (var tag in AddTags) ImageValidation.CheckTag(tag);
        foreach (var key in RemoveProperties) ImageValidation.CheckRemovableProperty(key);
        foreach (var property in SetProperties) ImageValidation.CheckProperty(property.Key, property.Value);
        ImageSignature.FromProperties(PropertiesAfter(image)); // the four signature properties stay together
        image.ChangeFormats(DiskFormat, ContainerFormat); // checks before it changes, and is the last check

        if (Name is not null) image.SetName(Name);
        if (Visibility is { } visibility) image.SetVisibility(visibility);
        if (Protected is { } isProtected) image.SetProtected(isProtected);
        if (Hidden is { } isHidden) image.SetHidden(isHidden);
        if (MinDisk is { } disk) image.SetMinDisk(disk);
        if (MinRam is { } ram) image.SetMinRam(ram);
        foreach (var tag in RemoveTags) image.RemoveTag(tag);
        foreach (var tag in AddTags) image.AddTag(tag);
        foreach (var key in RemoveProperties) image.RemoveProperty(key);
        foreach (var property in SetProperties) image.SetProperty(property.Key, property.Value!);
    }

    private Dictionary<string, string> PropertiesAfter(Image image)
    {
        var after = image.Properties.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        foreach (var key in RemoveProperties) after.Remove(key);
        foreach (var property in SetProperties) after[property.Key] = property.Value!;
        return after;
    }

    /// <summary>The changes as a phrase for people (the -WhatIf and -Confirm text).</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (Name is not null) parts.Add(F(Messages.ChangeName, ImageErrors.Shorten(Name)));
        if (Visibility is { } visibility) parts.Add(F(Messages.ChangeVisibility, visibility));
        if (Protected is { } isProtected) parts.Add(isProtected ? Messages.ChangeProtectedOn : Messages.ChangeProtectedOff);
        if (Hidden is { } isHidden) parts.Add(isHidden ? Messages.ChangeHiddenOn : Messages.ChangeHiddenOff);
        if (MinDisk is { } minDisk) parts.Add(F(Messages.ChangeMinDisk, minDisk));
        if (MinRam is { } minRam) parts.Add(F(Messages.ChangeMinRam, minRam));
        if (DiskFormat is not null) parts.Add(F(Messages.ChangeDiskFormat, DiskFormat));
        if (ContainerFormat is not null) parts.Add(F(Messages.ChangeContainerFormat, ContainerFormat));
        if (RemoveTags.Count > 0) parts.Add(F(Messages.ChangeRemoveTags, Quoted(RemoveTags)));
        if (AddTags.Count > 0) parts.Add(F(Messages.ChangeAddTags, Quoted(AddTags)));
        if (RemoveProperties.Count > 0) parts.Add(F(Messages.ChangeRemoveProperties, Quoted(RemoveProperties)));
        if (SetProperties.Count > 0)
        {
            var pairs = SetProperties.OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => ImageErrors.Shorten(p.Key) + "='" + ImageErrors.Shorten(p.Value ?? "") + "'");
            parts.Add(F(Messages.ChangeSetProperties, string.Join(", ", pairs)));
        }
        return parts.Count == 0
            ? Messages.ActionSetImageNothing
            : F(Messages.ActionSetImage, string.Join(Messages.ChangeSeparator, parts));
    }

    private static string Quoted(IEnumerable<string> values) =>
        string.Join(", ", values.Select(v => "'" + ImageErrors.Shorten(v) + "'"));

    private static string F(string format, params object[] args) => string.Format(CultureInfo.CurrentCulture, format, args);
}
