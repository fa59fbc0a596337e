using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace ImagePs.Commands;

/// <summary>
/// Lists images (oldest first, streamed) filtered by name wildcards, status, tag, visibility and
/// disk format, or gets images by id.
/// </summary>
[Cmdlet(VerbsCommon.Get, "Image", DefaultParameterSetName = ListSet)]
[OutputType(typeof(Image))]
public sealed class GetImageCommand : ImageCmdlet
{
    private const string ListSet = "List";
    private const string ByIdSet = "ById";

    [Parameter(Position = 0, ParameterSetName = ListSet, ValueFromPipeline = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ImageNameCompleter))]
    public string[]? Name { get; set; }

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

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ByIdSet)
        {
            foreach (var id in Id) TryRun(() => WriteObject(Service.GetImage(id)), () => id);
            return;
        }
        List();
    }

    private void List()
    {
        var query = new ImageQuery
        {
            Names = Name,
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
            unmatchedLiterals.AddRange((Name ?? Array.Empty<string>()).Where(n => !Catalog.WildcardPattern.ContainsWildcard(n)).Distinct());
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
        if (Status is null && Tag is null && Visibility is null && DiskFormat is null && MemberStatus is null && Property is null)
        {
            foreach (var name in unmatchedLiterals)
                WriteError(ErrorRecords.From(ImageErrors.NameNotFound(name), name));
        }
    }

    private IReadOnlyDictionary<string, string>? PropertyFilter()
    {
        if (Property is null) return null;
        var filter = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in PropertyTable.Read(Property)) filter[property.Key] = property.Value ?? ""; // $null matches an empty value
        return filter;
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
