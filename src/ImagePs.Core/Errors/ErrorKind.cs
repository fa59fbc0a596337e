namespace ImagePs;

/// <summary>
/// What kind of failure an <see cref="ImagePsException"/> is. The cmdlet layer maps each kind to the
/// PowerShell ErrorCategory of the same name; the core stays free of any PowerShell reference.
/// </summary>
public enum ErrorKind
{
    InvalidArgument,
    InvalidData,
    InvalidOperation,
    ObjectNotFound,
    ResourceExists,
    ResourceBusy,
    PermissionDenied,
    LimitsExceeded,
    SecurityError,
    ReadError,
    WriteError,
    ResourceUnavailable,
    NotInstalled,
    OperationTimeout,
    ConnectionError,
    InvalidResult,
}
