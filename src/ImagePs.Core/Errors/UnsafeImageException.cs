using System.Collections.Generic;
using ImagePs.Formats;

namespace ImagePs;

/// <summary>Image data refused because it is unsafe to use; <see cref="Findings"/> says why (at least one).</summary>
public sealed class UnsafeImageException : ImagePsException
{
    internal UnsafeImageException(string message, object? target, IReadOnlyList<SafetyFinding> findings)
        : base("UnsafeImage", ErrorKind.SecurityError, message, target)
    {
        Findings = findings;
    }

    public IReadOnlyList<SafetyFinding> Findings { get; }
}
