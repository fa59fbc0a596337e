using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.Encodings.Web;
using System.Text.Json;
using ImagePs.Domain;
using ImagePs.Settings;

namespace ImagePs.Events;

/// <summary>
/// Glance's notification payloads (glance/notifier.py format_image_notification and
/// format_image_member_notification) and the line ImagePs writes for each. The image payload never
/// carries locations: in Glance they may hold credentials, here they are store paths.
/// </summary>
internal static class GlanceNotification
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static List<KeyValuePair<string, object?>> ImagePayload(Image image) => new()
    {
        new("id", image.Id.ToString("D")),
        new("name", image.Name),
        new("status", GlanceNames.Of(image.Status)),
        new("created_at", IsoTime(image.CreatedAt)),
        new("updated_at", IsoTime(image.UpdatedAt)),
        new("min_disk", image.MinDisk),
        new("min_ram", image.MinRam),
        new("protected", image.Protected),
        new("checksum", image.Checksum),
        new("owner", image.Owner),
        new("disk_format", image.DiskFormat),
        new("container_format", image.ContainerFormat),
        new("size", image.Size),
        new("virtual_size", image.VirtualSize),
        new("is_public", image.Visibility == ImageVisibility.Public),
        new("visibility", GlanceNames.Of(image.Visibility)),
        new("properties", image.Properties),
        new("tags", image.Tags),
        new("deleted", false),
        new("deleted_at", null),
        new("os_hidden", image.Hidden),
    };

    public static List<KeyValuePair<string, object?>> MemberPayload(ImageMember member) => new()
    {
        new("image_id", member.ImageId.ToString("D")),
        new("member_id", member.MemberId),
        new("status", GlanceNames.Of(member.Status)),
        new("created_at", IsoTime(member.CreatedAt)),
        new("updated_at", IsoTime(member.UpdatedAt)),
        new("deleted", false),
        new("deleted_at", null),
    };

    /// <summary>Glance's payload.update(extra): a key present is replaced in place, a new one appended.</summary>
    public static void Update(List<KeyValuePair<string, object?>> payload, string key, object? value)
    {
        var index = payload.FindIndex(p => p.Key == key);
        if (index >= 0) payload[index] = new(key, value);
        else payload.Add(new(key, value));
    }

    /// <summary>Glance's isotime(): seconds precision, UTC, 'Z'.</summary>
    public static string IsoTime(DateTime value) =>
        value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The events-log line: oslo.messaging's envelope plus ImagePs's image_id, user_id, project_id.</summary>
    public static byte[] Line(string eventType, string priority, DateTime timestamp, Guid imageId, CallerContext caller, object? payload)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("message_id", Guid.NewGuid().ToString("D"));
            writer.WriteString("publisher_id", "image." + Environment.MachineName);
            writer.WriteString("event_type", eventType);
            writer.WriteString("priority", priority);
            writer.WriteString("timestamp", timestamp.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
            writer.WriteString("image_id", imageId.ToString("D"));
            writer.WriteString("user_id", caller.User);
            writer.WriteString("project_id", caller.Project);
            writer.WritePropertyName("payload");
            WriteValue(writer, payload);
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case int number:
                writer.WriteNumberValue(number);
                break;
            case long number:
                writer.WriteNumberValue(number);
                break;
            case IEnumerable<KeyValuePair<string, object?>> fields:
                writer.WriteStartObject();
                foreach (var field in fields)
                {
                    writer.WritePropertyName(field.Key);
                    WriteValue(writer, field.Value);
                }
                writer.WriteEndObject();
                break;
            case IEnumerable<KeyValuePair<string, string>> properties:
                writer.WriteStartObject();
                foreach (var property in properties) writer.WriteString(property.Key, property.Value);
                writer.WriteEndObject();
                break;
            case IEnumerable<string> items:
                writer.WriteStartArray();
                foreach (var item in items) writer.WriteStringValue(item);
                writer.WriteEndArray();
                break;
            default:
                throw new ArgumentException("Unsupported payload value: " + value.GetType(), nameof(value));
        }
    }
}
