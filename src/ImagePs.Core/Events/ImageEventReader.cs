using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using ImagePs.Catalog;

namespace ImagePs.Events;

/// <summary>Reads the events back as <see cref="ImageEvent"/> objects, filtered, streaming.</summary>
internal sealed class ImageEventReader
{
    private readonly IImageEventLog _log;
    private readonly IOperationObserver _observer;

    public ImageEventReader(IImageEventLog log, IOperationObserver observer)
    {
        _log = log;
        _observer = observer;
    }

    /// <summary>
    /// Matching events, oldest first, read as they are enumerated: the whole log streams through
    /// (never all in memory); with <see cref="ImageEventQuery.Last"/> the log is read from its end,
    /// only as far back as the last N matching events. <paramref name="visible"/> further limits what
    /// the caller may read.
    /// </summary>
    public IEnumerable<ImageEvent> Find(ImageEventQuery query, Func<ImageEvent, bool> visible)
    {
        var types = query.EventTypes?.Select(WildcardPattern.Parse).ToList();
        var ids = query.ImageIds is { Count: > 0 } list ? new HashSet<Guid>(list) : null;
        var since = query.Since?.ToUniversalTime();
        var until = query.Until?.ToUniversalTime();
        bool Wanted(ImageEvent item) =>
            (ids is null || (item.ImageId is { } id && ids.Contains(id)))
            && (types is null || types.Any(t => t.IsMatch(item.EventType)))
            && (since is null || item.Timestamp >= since)
            && (until is null || item.Timestamp <= until)
            && visible(item);

        void Invalid(string message) => _observer.Warning(message);
        if (query.Last is not { } last) return _log.Forward(query, Invalid).Where(Wanted);
        if (last <= 0) return Array.Empty<ImageEvent>();
        return LastOf(_log.Backward(query, Invalid).Where(Wanted), last);
    }

    private static IEnumerable<ImageEvent> LastOf(IEnumerable<ImageEvent> newestFirst, int count)
    {
        var found = newestFirst.Take(count).ToList();
        found.Reverse();
        foreach (var item in found) yield return item;
    }

    /// <summary>
    /// One line of the log as an event: null with a null <paramref name="error"/> for a blank line or
    /// one without an event type and time (not an event), null with the parser's complaint for a
    /// line that is not a JSON object.
    /// </summary>
    public static ImageEvent? Parse(byte[] line, out string? error)
    {
        error = null;
        if (line.Length == 0 || (line.Length == 1 && line[0] == (byte)'\r')) return null;
        try
        {
            using var document = JsonDocument.Parse(line);
            if (document.RootElement.ValueKind == JsonValueKind.Object) return Convert(document.RootElement);
            error = Messages.EventLineNotObject;
        }
        catch (JsonException e)
        {
            error = e.Message;
        }
        return null;
    }

    private static ImageEvent? Convert(JsonElement line)
    {
        var type = Text(line, "event_type");
        var stamp = Text(line, "timestamp");
        if (type is null || stamp is null ||
            !DateTime.TryParse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var timestamp))
            return null;
        Guid? imageId = Guid.TryParse(Text(line, "image_id"), out var id) ? id : null;
        var payload = line.TryGetProperty("payload", out var p) ? Value(p) : null;
        return new ImageEvent(Text(line, "message_id") ?? "", Text(line, "publisher_id") ?? "", type, Text(line, "priority") ?? "",
            timestamp, imageId, Text(line, "user_id"), Text(line, "project_id"), payload);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>JSON as plain .NET values: objects as dictionaries (PowerShell reads <c>$e.Payload.name</c>), arrays as object[].</summary>
    private static object? Value(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var field in element.EnumerateObject()) fields[field.Name] = Value(field.Value);
                return fields;
            case JsonValueKind.Array:
                return element.EnumerateArray().Select(Value).ToArray();
            case JsonValueKind.String:
                return element.GetString();
            case JsonValueKind.Number:
                return element.TryGetInt64(out var whole) ? whole : (object)element.GetDouble();
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            default:
                return null;
        }
    }
}
