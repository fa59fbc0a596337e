using System;
using System.Collections.Generic;

namespace ImagePs.Domain;

/// <summary>What a caller asks the factory for: every field a new image may be given.</summary>
internal sealed class ImageDraft
{
    public Guid? Id { get; set; }
    public string? Name { get; set; }
    public string? DiskFormat { get; set; }
    public string? ContainerFormat { get; set; }
    public ImageVisibility Visibility { get; set; } = ImageVisibility.Shared;
    public bool Protected { get; set; }
    public bool Hidden { get; set; }
    public int MinDisk { get; set; }
    public int MinRam { get; set; }
    public IList<string> Tags { get; set; } = new List<string>();
    public IDictionary<string, string> Properties { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
