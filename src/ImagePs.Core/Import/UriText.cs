using System;

namespace ImagePs.Import;

/// <summary>How a URL is written in messages, records and events: never with its userinfo (credentials).</summary>
internal static class UriText
{
    public static string Safe(Uri uri)
    {
        if (!uri.IsAbsoluteUri) return uri.OriginalString;
        if (uri.UserInfo.Length == 0) return uri.AbsoluteUri;
        return new UriBuilder(uri) { UserName = string.Empty, Password = string.Empty }.Uri.AbsoluteUri;
    }
}
