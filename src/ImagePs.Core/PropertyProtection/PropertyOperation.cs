namespace ImagePs.PropertyProtection;

/// <summary>What a caller does to an extra property; each has its own role list in a rules section.</summary>
internal enum PropertyOperation
{
    Create,
    Read,
    Update,
    Delete,
}
