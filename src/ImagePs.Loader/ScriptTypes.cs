namespace ImagePs.Loader;

/// <summary>
/// The engine's types a script may name (<c>[ImagePs.Image]</c>, <c>[ImagePs.ImageStatus]::Active</c>,
/// <c>catch [ImagePs.ImageNotFoundException]</c>): what the cmdlets emit and accept, their enums, and
/// the exceptions inside their ErrorRecords. Each is registered as a type accelerator, because
/// PowerShell resolves type names only in its default load context and the engine lives in its own.
/// Everything else in the engine is internal. Adding a name here makes it a script API for good.
/// </summary>
internal static class ScriptTypes
{
    public static readonly string[] Names =
    {
        // Emitted and accepted by the cmdlets.
        "ImagePs.Image",
        "ImagePs.ImageMember",
        "ImagePs.ImageEvent",
        "ImagePs.ImageCopy",
        "ImagePs.ImageUsage",
        "ImagePs.ImageFileInfo",
        "ImagePs.SafetyFinding",
        "ImagePs.ImageVerification",
        // Their enums.
        "ImagePs.ImageStatus",
        "ImagePs.ImageVisibility",
        "ImagePs.ImageMemberStatus",
        "ImagePs.ImageCopyResult",
        "ImagePs.ImageSortKey",
        "ImagePs.ImageVerificationReason",
        // What $error[0].Exception is.
        "ImagePs.ImagePsException",
        "ImagePs.ImageNotFoundException",
        "ImagePs.ImageConflictException",
        "ImagePs.UnsafeImageException",
        "ImagePs.ErrorKind",
    };
}
