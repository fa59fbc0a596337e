namespace ImagePs;

/// <summary>Glance's visibilities. New images are <see cref="Shared"/>, as in Glance.</summary>
public enum ImageVisibility
{
    Public,
    Private,
    Shared,
    Community,
}
