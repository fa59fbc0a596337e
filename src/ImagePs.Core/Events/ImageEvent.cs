using System;
using System.Collections.Generic;

namespace ImagePs;

/// <summary>
/// One line of the events log: a Glance notification (oslo.messaging's message_id, publisher_id,
/// event_type, priority, timestamp and payload) plus who caused it and which image it is about.
/// </summary>
public sealed class ImageEvent
{
    internal ImageEvent(string messageId, string publisherId, string eventType, string priority, DateTime timestamp,
        Guid? imageId, string? userId, string? projectId, object? payload)
    {
        MessageId = messageId;
        PublisherId = publisherId;
        EventType = eventType;
        Priority = priority;
        Timestamp = timestamp;
        ImageId = imageId;
        UserId = userId;
        ProjectId = projectId;
        Payload = payload;
    }

    /// <summary>When the event was written (UTC).</summary>
    public DateTime Timestamp { get; }

    /// <summary>Glance's event type, e.g. <c>image.create</c>, <c>image.member.update</c>.</summary>
    public string EventType { get; }

    /// <summary><c>INFO</c>, or <c>ERROR</c> for a failed upload.</summary>
    public string Priority { get; }

    public Guid? ImageId { get; }

    /// <summary>The user who caused the event.</summary>
    public string? UserId { get; }

    /// <summary>The project the user acted in.</summary>
    public string? ProjectId { get; }

    /// <summary>
    /// Glance's payload: for image events a dictionary with id, name, status, owner, properties,
    /// tags, ... (never locations); for member events image_id, member_id, status, ...; for a failed
    /// upload the error message (a string).
    /// </summary>
    public object? Payload { get; }

    public string MessageId { get; }
    public string PublisherId { get; }

    /// <summary>A text field of a dictionary payload (<c>owner</c>, <c>member_id</c>), or null.</summary>
    internal string? PayloadField(string name) =>
        Payload is IReadOnlyDictionary<string, object?> fields && fields.TryGetValue(name, out var value) ? value as string : null;

    public override string ToString() => $"{EventType} {ImageId}";
}
