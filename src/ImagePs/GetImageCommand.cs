using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ImagePs.Catalog;
using ImagePs.Domain;
using ImagePs.Errors;

namespace ImagePs.Commands;

/// <summary>
/// Lists images (oldest first unless -SortBy, streamed, paged by the catalog with -First/-Skip)
/// filtered by the catalog, or gets images by id. A positional or piped string is an id when it is
/// GUID-shaped, otherwise a name; -Name typed out is always a name. Hidden images are listed only
/// with -IncludeHidden; by id they are always found.
/// </summary>
[Cmdlet(VerbsCommon.Get, "Image", DefaultParameterSetName = ListSet, SupportsPaging = true)]
[OutputType(typeof(Image))]
public sealed class GetImageCommand : ImageCmdlet
{
    private const string ListSet = "List";
    private const string ByIdSet = "ById";

    /// <summary>Names (wildcards), always names.</summary>
    [Parameter(ParameterSetName = ListSet)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ImageNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>By position or from the pipeline: a GUID-shaped string is an id, anything else a name (wildcards).</summary>
    [Parameter(Position = 0, ParameterSetName = ListSet, ValueFromPipeline = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ImageNameCompleter))]
    public string[]? NameOrId { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = ByIdSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ImageIdCompleter))]
    public Guid[] Id { get; set; } = Array.Empty<Guid>();

    [Parameter(ParameterSetName = ListSet)]
    public ImageStatus[]? Status { get; set; }

    /// <summary>Images carrying every one of these tags (case-insensitive).</summary>
    [Parameter(ParameterSetName = ListSet)]
    [ArgumentCompleter(typeof(ImageTagCompleter))]
    public string[]? Tag { get; set; }

    [Parameter(ParameterSetName = ListSet)]
    public ImageVisibility[]? Visibility { get; set; }

    [Parameter(ParameterSetName = ListSet)]
    [ArgumentCompleter(typeof(DiskFormatCompleter))]
    public string[]? DiskFormat { get; set; }

    /// <summary>
    /// Shared images of other projects whose membership for the caller has one of these statuses
    /// (default Accepted, as Glance): <c>-MemberStatus Pending</c> finds images waiting for acceptance.
    /// </summary>
    [Parameter(ParameterSetName = ListSet)]
    public ImageMemberStatus[]? MemberStatus { get; set; }

    /// <summary>Images whose extra properties have exactly these values (every pair must match).</summary>
    [Parameter(ParameterSetName = ListSet)]
    public Hashtable? Property { get; set; }

    [Parameter(ParameterSetName = ListSet)]
    public string[]? Owner { get; set; }

    [Parameter(ParameterSetName = ListSet)]
    public string[]? ContainerFormat { get; set; }

    [Parameter(ParameterSetName = ListSet)]
    public bool Protected { get; set; }

    /// <summary>Size bounds in bytes, inclusive (images without data have no size and match no bound).</summary>
    [Parameter(ParameterSetName = ListSet)]
    [ValidateRange(0, long.MaxValue)]
    public long MinSize { get; set; }

    [Parameter(ParameterSetName = ListSet)]
    [ValidateRange(0, long.MaxValue)]
    public long MaxSize { get; set; }

    [Parameter(ParameterSetName = ListSet)]
    [ValidateRange(0, long.MaxValue)]
    public long MinVirtualSize { get; set; }

    [Parameter(ParameterSetName = ListSet)]
    [ValidateRange(0, long.MaxValue)]
    public long MaxVirtualSize { get; set; }

    /// <summary>Created at or after this time; a time of unspecified kind is local time.</summary>
    [Parameter(ParameterSetName = ListSet)]
    public DateTime CreatedAfter { get; set; }

    /// <summary>Created before this time.</summary>
    [Parameter(ParameterSetName = ListSet)]
    public DateTime CreatedBefore { get; set; }

    [Parameter(ParameterSetName = ListSet)]
    public DateTime UpdatedAfter { get; set; }

    [Parameter(ParameterSetName = ListSet)]
    public DateTime UpdatedBefore { get; set; }

    /// <summary>MD5 checksums (hex, any case).</summary>
    [Parameter(ParameterSetName = ListSet)]
    public string[]? Checksum { get; set; }

    /// <summary>SHA-512 os_hash_value (hex, any case).</summary>
    [Parameter(ParameterSetName = ListSet)]
    public string[]? OsHashValue { get; set; }

    [Parameter(ParameterSetName = ListSet)]
    public ImageSortKey SortBy { get; set; } = ImageSortKey.CreatedAt;

    [Parameter(ParameterSetName = ListSet)]
    public SwitchParameter Descending { get; set; }

    /// <summary>
    /// Lists hidden images too (Glance's os_hidden). Without it the listing leaves them out, -Name
    /// included, as Glance's listing does; by id they are always found.
    /// </summary>
    [Parameter(ParameterSetName = ListSet)]
    public SwitchParameter IncludeHidden { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ByIdSet)
        {
            foreach (var id in Id) GetById(id);
            return;
        }
        var names = new List<string>(Name ?? Array.Empty<string>());
        foreach (var value in NameOrId ?? Array.Empty<string>())
        {
            if (Guid.TryParse(value, out var id)) GetById(id);
            else names.Add(value);
        }
        if (NameOrId is { Length: > 0 } && names.Count == 0) return; // ids only
        List(names.Count == 0 ? null : names);
    }

    private void GetById(Guid id) => TryRun(() => WriteObject(Service.GetImage(id)), () => id);

    private bool Bound(string parameter) => MyInvocation.BoundParameters.ContainsKey(parameter);

    private void List(List<string>? names)
    {
        var query = new ImageQuery
        {
            Names = names,
            Owners = Owner,
            ContainerFormats = CanonicalContainerFormats(),
            Protected = Bound(nameof(Protected)) ? Protected : null,
            Hidden = IncludeHidden.IsPresent ? null : false,
            MinSize = Bound(nameof(MinSize)) ? MinSize : null,
            MaxSize = Bound(nameof(MaxSize)) ? MaxSize : null,
            MinVirtualSize = Bound(nameof(MinVirtualSize)) ? MinVirtualSize : null,
            MaxVirtualSize = Bound(nameof(MaxVirtualSize)) ? MaxVirtualSize : null,
            CreatedAfter = Bound(nameof(CreatedAfter)) ? CreatedAfter : null,
            CreatedBefore = Bound(nameof(CreatedBefore)) ? CreatedBefore : null,
            UpdatedAfter = Bound(nameof(UpdatedAfter)) ? UpdatedAfter : null,
            UpdatedBefore = Bound(nameof(UpdatedBefore)) ? UpdatedBefore : null,
            Checksums = Checksum,
            OsHashValues = OsHashValue,
            SortBy = SortBy,
            Descending = Descending.IsPresent,
            Skip = checked((long)PagingParameters.Skip),
            First = PagingParameters.First == ulong.MaxValue ? null : (long)Math.Min(PagingParameters.First, long.MaxValue),
            Statuses = Status,
            Tags = Tag,
            Visibilities = Visibility,
            DiskFormats = CanonicalDiskFormats(),
            MemberStatuses = MemberStatus,
            Properties = PropertyFilter(),
        };

        var unmatchedLiterals = new List<string>();
        try
        {
            if (PagingParameters.IncludeTotalCount)
                WriteObject(PagingParameters.NewTotalCount((ulong)Service.CountImages(query), 1.0));
            unmatchedLiterals.AddRange((names ?? new List<string>()).Where(n => !Catalog.WildcardPattern.ContainsWildcard(n)).Distinct());
            var literalPatterns = unmatchedLiterals.ToDictionary(n => n, Catalog.WildcardPattern.Parse);
            foreach (var image in Service.FindImages(query))
            {
                unmatchedLiterals.RemoveAll(n => literalPatterns[n].IsMatch(image.Name));
                WriteObject(image);
            }
        }
        catch (ImagePsException e)
        {
            // A bad pattern, or a listing the policy denies (get_images): the whole command fails.
            ThrowArgumentError(e);
        }

        // Like Get-Process -Name: a name without wildcards that matches nothing is an error,
        // when it is the only filter (other filters may exclude an image on purpose).
        var otherFilters = new[]
        {
            nameof(Status), nameof(Tag), nameof(Visibility), nameof(DiskFormat), nameof(MemberStatus), nameof(Property),
            nameof(Owner), nameof(ContainerFormat), nameof(Protected), nameof(MinSize), nameof(MaxSize), nameof(MinVirtualSize),
            nameof(MaxVirtualSize), nameof(CreatedAfter), nameof(CreatedBefore), nameof(UpdatedAfter), nameof(UpdatedBefore),
            nameof(Checksum), nameof(OsHashValue), "First", "Skip",
        };
        if (!otherFilters.Any(Bound))
        {
            foreach (var name in unmatchedLiterals)
                WriteError(ErrorRecords.From(IncludeHidden.IsPresent || !IsHiddenName(name) ? ImageErrors.NameNotFound(name) : ImageErrors.NameOnlyHidden(name), name));
        }
    }

    /// <summary>Whether a name that matched nothing is a hidden image's: the error then says how to list it.</summary>
    private bool IsHiddenName(string name)
    {
        try
        {
            return Service.FindImages(new ImageQuery { Names = new[] { name }, Hidden = true, First = 1 }).Any();
        }
        catch (ImagePsException)
        {
            return false;
        }
    }

    private IReadOnlyDictionary<string, string>? PropertyFilter()
    {
        if (Property is null) return null;
        var filter = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in PropertyTable.Read(Property)) filter[property.Key] = property.Value ?? ""; // $null matches an empty value
        return filter;
    }

    private IReadOnlyList<string>? CanonicalContainerFormats()
    {
        if (ContainerFormat is null) return null;
        var formats = new List<string>();
        foreach (var format in ContainerFormat)
        {
            try
            {
                formats.Add(ImageValidation.CanonicalContainerFormat(format)!);
            }
            catch (ImagePsException e)
            {
                ThrowArgumentError(e);
            }
        }
        return formats;
    }

    private IReadOnlyList<string>? CanonicalDiskFormats()
    {
        if (DiskFormat is null) return null;
        var formats = new List<string>();
        foreach (var format in DiskFormat)
        {
            try
            {
                formats.Add(ImageValidation.CanonicalDiskFormat(format)!);
            }
            catch (ImagePsException e)
            {
                ThrowArgumentError(e);
            }
        }
        return formats;
    }
}
