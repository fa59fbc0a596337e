using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using ImagePs.Catalog;

namespace ImagePs.Events;

/// <summary>Reads the events log back as <see cref="ImageEvent"/> objects, filtered.</summary>
internal sealed class ImageEventReader
{
    private readonly ImageEventLog _log;
    private readonly IOperationObserver _observer;

    public ImageEventReader(ImageEventLog log, IOperationObserver observer)
    {
        _log = log;
        _observer = observer;
    }

    /// <summary>Matching events, oldest first; <paramref name="visible"/> further limits what the caller may read.</summary>
    public IReadOnlyList<ImageEvent> Find(ImageEventQuery query, Func<ImageEvent, bool> visible)
    {
        var types = query.EventTypes?.Select(WildcardPattern.Parse).ToList();
        var ids = query.ImageIds is { Count: > 0 } list ? new HashSet<Guid>(list) : null;
        var since = query.Since?.ToUniversalTime();
        var until = query.Until?.ToUniversalTime();
        var last = query.Last is { } n ? new Queue<ImageEvent>(Math.Max(0, Math.Min(n, 4096))) : null;
        var found = new List<ImageEvent>();

        foreach (var document in _log.ReadAll((line, reason) => _observer.Warning(string.Format(Messages.EventLineInvalid, _log.Path, line, reason))))
        {
            ImageEvent? item;
            using (document) item = Convert(document.RootElement);
            if (item is null) continue;
            if (ids is not null && (item.ImageId is not { } id || !ids.Contains(id))) continue;
            if (types is not null && !types.Any(t => t.IsMatch(item.EventType))) continue;
            if (since is not null && item.Timestamp < since) continue;
            if (until is not null && item.Timestamp > until) continue;
            if (!visible(item)) continue;
            if (last is null)
            {
                found.Add(item);
                continue;
            }
            if (query.Last <= 0) continue;
            if (last.Count == query.Last) last.Dequeue();
            last.Enqueue(item);
        }
        return last is null ? found : last.ToList();
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
