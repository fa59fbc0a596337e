using System;
using System.Collections;
using ImagePs.Domain;

namespace ImagePs.Commands;

/// <summary>The new image's metadata from New-Image's parameters (Import-Image takes the same ones).</summary>
internal static class ImageDrafts
{
    public static ImageDraft From(Guid? id, string? name, string? diskFormat, string containerFormat, ImageVisibility visibility,
        bool isProtected, bool hidden, int minDisk, int minRam, string[]? tags, Hashtable? properties)
    {
        var draft = new ImageDraft
        {
            Id = id,
            Name = name,
            DiskFormat = diskFormat,
            ContainerFormat = containerFormat,
            Visibility = visibility,
            Protected = isProtected,
            Hidden = hidden,
            MinDisk = minDisk,
            MinRam = minRam,
        };
        foreach (var tag in tags ?? Array.Empty<string>()) draft.Tags.Add(tag);
        if (properties is not null)
        {
            foreach (var property in PropertyTable.Read(properties)) draft.Properties[property.Key] = property.Value!; // a null is refused by the factory
        }
        return draft;
    }
}
