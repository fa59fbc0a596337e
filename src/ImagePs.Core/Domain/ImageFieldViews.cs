using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;

namespace ImagePs.Domain;

/// <summary>
/// An image's tags as PowerShell shows them where only text fits (Export-Csv, ConvertTo-Csv,
/// string expansion): joined with ';', never a .NET type name.
/// </summary>
internal sealed class ImageTagView : ReadOnlyCollection<string>
{
    public ImageTagView(IList<string> tags) : base(tags) { }

    public override string ToString() => string.Join(";", this);
}

/// <summary>An image's extra properties as text: sorted (ordinal) key=value pairs joined with ';'.</summary>
internal sealed class ImagePropertyView : ReadOnlyDictionary<string, string>
{
    public ImagePropertyView(IDictionary<string, string> properties) : base(properties) { }

    public override string ToString() =>
        string.Join(";", this.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + p.Value));
}

/// <summary>An image's locations as text: their URLs joined with ';'.</summary>
internal sealed class ImageLocationView : ReadOnlyCollection<ImageLocation>
{
    public ImageLocationView(IList<ImageLocation> locations) : base(locations) { }

    public override string ToString() => string.Join(";", this.Select(l => l.Url));
}
