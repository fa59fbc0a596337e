using System;
using System.Collections.Generic;
using ImagePs.Settings;

namespace ImagePs.Events;

/// <summary>
/// Sends Glance's notifications for one caller: appends them to the events log (the file or the catalog's table) and shows each on
/// the verbose stream. A notification that cannot be written is a warning, never a failure: the
/// change it reports has already happened (Glance logs and goes on too).
/// </summary>
internal sealed class ImageNotifier
{
    private readonly IImageEventLog _log;
    private readonly CallerContext _caller;
    private readonly IOperationObserver _observer;
    private readonly Func<DateTime> _utcNow;

    public ImageNotifier(IImageEventLog log, CallerContext caller, IOperationObserver observer, Func<DateTime>? utcNow = null)
    {
        _log = log;
        _caller = caller;
        _observer = observer;
        _utcNow = utcNow ?? (() => DateTime.UtcNow);
    }

    /// <summary>An image event; <paramref name="extra"/> is merged into the payload as Glance's extra_payload.</summary>
    public void Image(string eventType, Image image, IEnumerable<KeyValuePair<string, object?>>? extra = null)
    {
        var payload = GlanceNotification.ImagePayload(image);
        foreach (var field in extra ?? Array.Empty<KeyValuePair<string, object?>>()) GlanceNotification.Update(payload, field.Key, field.Value);
        Send(eventType, "INFO", image.Id, image.ToString(), payload);
    }

    public void Member(string eventType, ImageMember member, IEnumerable<KeyValuePair<string, object?>>? extra = null)
    {
        var payload = GlanceNotification.MemberPayload(member);
        foreach (var field in extra ?? Array.Empty<KeyValuePair<string, object?>>()) GlanceNotification.Update(payload, field.Key, field.Value);
        Send(eventType, "INFO", member.ImageId, member.ToString(), payload);
    }

    /// <summary>An error notification: as in Glance its payload is the message alone.</summary>
    public void Error(string eventType, Image image, string message) => Send(eventType, "ERROR", image.Id, image.ToString(), message);

    /// <summary>Glance's deleted/deleted_at extra payload for a delete event.</summary>
    public IEnumerable<KeyValuePair<string, object?>> Deleted() => new[]
    {
        new KeyValuePair<string, object?>("deleted", true),
        new KeyValuePair<string, object?>("deleted_at", GlanceNotification.IsoTime(_utcNow())),
    };

    private void Send(string eventType, string priority, Guid imageId, string subject, object payload)
    {
        _observer.Verbose(string.Format(Messages.EventSent, eventType, subject));
        try
        {
            _log.Append(GlanceNotification.Line(eventType, priority, _utcNow(), imageId, _caller, payload));
        }
        catch (Exception e) when (e is System.IO.IOException or UnauthorizedAccessException or ImagePsException)
        {
            _observer.Warning(string.Format(Messages.EventNotWritten, eventType, subject, _log.Location, e.Message));
        }
    }
}
