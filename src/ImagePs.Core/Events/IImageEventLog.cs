using System;
using System.Collections.Generic;

namespace ImagePs.Events;

/// <summary>
/// Where a repository's events go and are read back from: the events-log files in the repository
/// folder beside a SQLite catalog (<see cref="ImageEventLog"/>), the catalog's <c>image_events</c>
/// table beside a PostgreSQL one (<see cref="PostgreSqlImageEventLog"/>), so every host of a team
/// sees the same events. Chosen in <see cref="Settings.RepositoryBackend"/>.
/// </summary>
internal interface IImageEventLog
{
    /// <summary>Where the events are, for messages (a path, or the catalog's description; never a secret).</summary>
    string Location { get; }

    /// <summary>
    /// Appends one event (a JSON line as <see cref="GlanceNotification.Line"/> makes it, without the
    /// line break). Throws <see cref="System.IO.IOException"/> or <see cref="UnauthorizedAccessException"/>
    /// when it cannot be written.
    /// </summary>
    void Append(byte[] jsonLine);

    /// <summary>
    /// Events oldest first, read as the caller enumerates them. <paramref name="query"/> lets a log
    /// narrow what it reads; the caller still applies every filter. Unreadable entries go to
    /// <paramref name="invalid"/> (a message) and are skipped.
    /// </summary>
    IEnumerable<ImageEvent> Forward(ImageEventQuery query, Action<string> invalid);

    /// <summary>Events newest first, read as the caller enumerates them (see <see cref="Forward"/>).</summary>
    IEnumerable<ImageEvent> Backward(ImageEventQuery query, Action<string> invalid);
}
