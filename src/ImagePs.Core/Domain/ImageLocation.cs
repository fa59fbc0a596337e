namespace ImagePs;

/// <summary>Where an image's data is kept: a URL the store understands (e.g. <c>file:///...</c>).</summary>
public sealed class ImageLocation
{
    internal ImageLocation(string url, string status = "active")
    {
        Url = url;
        Status = status;
    }

    public string Url { get; }

    public string Status { get; }

    public override string ToString() => Url;
}
