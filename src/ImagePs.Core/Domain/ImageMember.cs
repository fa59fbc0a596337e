using System;
using ImagePs.Domain;
using ImagePs.Errors;

namespace ImagePs;

/// <summary>
/// A project an image is shared with (Glance's ImageMember). Only shared images have members; the
/// owner adds and removes them, the member project accepts or rejects.
/// </summary>
public sealed class ImageMember
{
    internal const int MaxMemberIdLength = 255;

    internal ImageMember(Guid imageId, string memberId, ImageMemberStatus status, DateTime createdAt, DateTime updatedAt)
    {
        ImageId = imageId;
        MemberId = memberId;
        Status = status;
        CreatedAt = createdAt;
        UpdatedAt = updatedAt;
    }

    public Guid ImageId { get; }

    /// <summary>The member project.</summary>
    public string MemberId { get; }

    public ImageMemberStatus Status { get; private set; }
    public DateTime CreatedAt { get; }
    public DateTime UpdatedAt { get; private set; }

    public override string ToString() => $"{MemberId} ({ImageId})";

    /// <summary>A new, pending membership of <paramref name="memberId"/> in the image.</summary>
    internal static ImageMember New(Guid imageId, string memberId, DateTime now)
    {
        CheckMemberId(memberId);
        return new ImageMember(imageId, memberId, ImageMemberStatus.Pending, now, now);
    }

    /// <summary>A project name: not empty, at most 255 characters (Glance's column), no control, bidi or invisible characters.</summary>
    internal static void CheckMemberId(string? memberId)
    {
        if (memberId is null || memberId.Trim().Length == 0) throw ImageErrors.InvalidMemberId(memberId ?? "", Messages.ReasonEmpty);
        if (memberId.Length > MaxMemberIdLength)
            throw ImageErrors.InvalidMemberId(memberId, string.Format(Messages.ReasonTooLong, MaxMemberIdLength));
        if (MisleadingCharacters.Find(memberId, freeText: false) is string reason)
            throw ImageErrors.InvalidMemberId(memberId, reason);
    }

    internal void SetStatus(ImageMemberStatus status) => Status = status;

    internal void MarkPersisted(DateTime updatedAt) => UpdatedAt = updatedAt;
}
