namespace ImagePs;

/// <summary>
/// One reason an image must not be used: a check name that scripts can match on (like Glance's
/// safety check names) and a sentence naming what was found.
/// </summary>
public sealed class SafetyFinding
{
    internal SafetyFinding(string check, string message)
    {
        Check = check;
        Message = message;
    }

    /// <summary>
    /// <c>backing-file</c>, <c>data-file</c>, <c>unknown-features</c>, <c>unsupported-version</c>,
    /// <c>vmdk-create-type</c>, <c>vmdk-descriptor</c>, <c>vmdk-extent</c>, <c>vmdk-parent</c>,
    /// <c>vhd-differencing</c>, <c>vhdx-parent</c>, <c>vdi-parent</c>, <c>qed</c>,
    /// <c>multiple-formats</c> or <c>malformed</c>.
    /// </summary>
    public string Check { get; }

    public string Message { get; }

    public override string ToString() => $"{Check}: {Message}";
}
