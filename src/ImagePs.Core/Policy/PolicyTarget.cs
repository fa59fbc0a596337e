using System;
using System.Collections.Generic;
using System.Globalization;
using ImagePs.Domain;
using ImagePs.Settings;

namespace ImagePs.Policy;

/// <summary>
/// The object a rule is checked against, as the fields <c>%(name)s</c> can name (Glance's
/// ImageTarget): the image's attributes, <c>project_id</c> (= the owner), <c>member_id</c> (the
/// caller's project when it sees a shared image it does not own) and the extra properties. Values
/// are the text Python would print (<c>True</c>, <c>shared</c>, <c>42</c>); an empty field is absent,
/// so a check that names it is false.
/// </summary>
internal sealed class PolicyTarget
{
    private readonly Dictionary<string, string> _fields = new(StringComparer.Ordinal);

    private PolicyTarget() { }

    public string? this[string field] => _fields.TryGetValue(field, out var value) ? value : null;

    /// <summary>
    /// Actions that are not about one image (listing, creating): Glance's target for them is the
    /// caller's own project, and the visibility asked for (default private).
    /// </summary>
    public static PolicyTarget ForCaller(CallerContext caller, ImageVisibility visibility = ImageVisibility.Private)
    {
        var target = new PolicyTarget();
        target.Set("project_id", caller.Project);
        target.Set("owner", caller.Project);
        target.Set("visibility", GlanceNames.Of(visibility));
        return target;
    }

    public static PolicyTarget ForImage(Image image, CallerContext caller)
    {
        var target = new PolicyTarget();
        foreach (var property in image.Properties) target.Set(property.Key, property.Value);

        target.Set("id", image.Id.ToString("D"));
        target.Set("image_id", image.Id.ToString("D"));
        target.Set("name", image.Name);
        target.Set("status", GlanceNames.Of(image.Status));
        target.Set("visibility", GlanceNames.Of(image.Visibility));
        target.Set("protected", image.Protected ? "True" : "False");
        target.Set("os_hidden", image.Hidden ? "True" : "False");
        target.Set("owner", image.Owner);
        target.Set("project_id", image.Owner);
        target.Set("disk_format", image.DiskFormat);
        target.Set("container_format", image.ContainerFormat);
        target.Set("min_disk", image.MinDisk.ToString(CultureInfo.InvariantCulture));
        target.Set("min_ram", image.MinRam.ToString(CultureInfo.InvariantCulture));
        target.Set("size", image.Size?.ToString(CultureInfo.InvariantCulture));
        target.Set("virtual_size", image.VirtualSize?.ToString(CultureInfo.InvariantCulture));
        target.Set("checksum", image.Checksum);
        target.Set("os_hash_algo", image.OsHashAlgo);
        target.Set("os_hash_value", image.OsHashValue);

        // Glance's image.member: a shared image seen by another project was found through that
        // project's membership (the authorization layer makes sure of it).
        if (image.Visibility == ImageVisibility.Shared && image.Owner != caller.Project)
            target.Set("member_id", caller.Project);
        return target;
    }

    private void Set(string field, string? value)
    {
        if (value is null) _fields.Remove(field);
        else _fields[field] = value;
    }
}
