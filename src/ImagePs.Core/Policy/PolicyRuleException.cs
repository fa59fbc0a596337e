using System;

namespace ImagePs.Policy;

/// <summary>
/// A rule's text cannot be parsed. <see cref="Position"/> is the 1-based character where the
/// problem is; the loader turns this into <c>InvalidPolicy</c> naming the file, line and rule.
/// </summary>
internal sealed class PolicyRuleException : Exception
{
    public PolicyRuleException(string reason, int position)
        : base(reason)
    {
        Position = position + 1;
    }

    public int Position { get; }
}
