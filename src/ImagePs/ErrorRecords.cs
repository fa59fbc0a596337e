using System.Management.Automation;

namespace ImagePs.Commands;

/// <summary>The one place core errors become PowerShell ErrorRecords.</summary>
internal static class ErrorRecords
{
    /// <summary>
    /// An ErrorRecord whose FullyQualifiedErrorId starts with the core's stable id. The target is
    /// the image when one is known, else what the command was working on.
    /// </summary>
    public static ErrorRecord From(ImagePsException e, object? target)
    {
        var chosen = e.Target is Image ? e.Target : target ?? e.Target;
        return new ErrorRecord(e, e.ErrorId, Category(e.Kind), chosen);
    }

    public static ErrorCategory Category(ErrorKind kind) => kind switch
    {
        ErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        ErrorKind.InvalidData => ErrorCategory.InvalidData,
        ErrorKind.InvalidOperation => ErrorCategory.InvalidOperation,
        ErrorKind.ObjectNotFound => ErrorCategory.ObjectNotFound,
        ErrorKind.ResourceExists => ErrorCategory.ResourceExists,
        ErrorKind.ResourceBusy => ErrorCategory.ResourceBusy,
        ErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        ErrorKind.LimitsExceeded => ErrorCategory.LimitsExceeded,
        ErrorKind.SecurityError => ErrorCategory.SecurityError,
        ErrorKind.ReadError => ErrorCategory.ReadError,
        ErrorKind.WriteError => ErrorCategory.WriteError,
        ErrorKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
        ErrorKind.NotInstalled => ErrorCategory.NotInstalled,
        ErrorKind.OperationTimeout => ErrorCategory.OperationTimeout,
        ErrorKind.ConnectionError => ErrorCategory.ConnectionError,
        ErrorKind.InvalidResult => ErrorCategory.InvalidResult,
        _ => ErrorCategory.NotSpecified,
    };
}
