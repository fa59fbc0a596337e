using System;

namespace ImagePs;

/// <summary>
/// Every failure the core reports on purpose. <see cref="ErrorId"/> is stable: scripts match on it
/// (it becomes the start of the PowerShell FullyQualifiedErrorId). Create them through
/// <see cref="Errors.ImageErrors"/>, which is the list of every id.
/// </summary>
public class ImagePsException : Exception
{
    internal ImagePsException(string errorId, ErrorKind kind, string message, object? target = null, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorId = errorId;
        Kind = kind;
        Target = target;
    }

    /// <summary>Stable identifier, e.g. <c>ImageNotFound</c>.</summary>
    public string ErrorId { get; }

    public ErrorKind Kind { get; }

    /// <summary>The image, id, path or value the error is about.</summary>
    public object? Target { get; }
}

/// <summary>The image (or another named object) does not exist.</summary>
public sealed class ImageNotFoundException : ImagePsException
{
    internal ImageNotFoundException(string errorId, string message, object? target)
        : base(errorId, ErrorKind.ObjectNotFound, message, target) { }
}

/// <summary>The catalog changed underneath the caller: a compare-and-swap on the status failed.</summary>
public sealed class ImageConflictException : ImagePsException
{
    internal ImageConflictException(string errorId, ErrorKind kind, string message, object? target)
        : base(errorId, kind, message, target) { }
}
