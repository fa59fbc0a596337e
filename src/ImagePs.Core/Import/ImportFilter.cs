using System;
using System.Collections.Generic;
using System.Linq;
using ImagePs.Errors;

namespace ImagePs.Import;

/// <summary>
/// Glance's <c>[import_filtering_opts]</c>: for schemes, hosts and ports alike, a non-empty allowed list
/// wins over the disallowed one. Defaults: http and https only, any host, any port. Checked on the URL
/// given and again on every redirect.
/// </summary>
internal sealed class ImportFilter
{
    private readonly ImportSettings settings;

    public ImportFilter(ImportSettings settings) => this.settings = settings;

    /// <summary>Throws <c>ImportUriUnsupported</c> or <c>ImportUriRefused</c>, naming the URL without credentials.</summary>
    public void Check(Uri uri)
    {
        // Only http and https can be fetched at all: the default scheme rule, whatever the lists say.
        if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw ImageErrors.ImportUriUnsupported(UriText.Safe(uri));
        var scheme = uri.Scheme;
        var host = uri.IdnHost.Trim('[', ']');
        var port = uri.Port;

        if (settings.AllowedSchemes.Count > 0)
        {
            if (!Contains(settings.AllowedSchemes, scheme)) Refuse(uri, Messages.ImportRuleSchemeNotAllowed, scheme);
        }
        else if (Contains(settings.DisallowedSchemes, scheme)) Refuse(uri, Messages.ImportRuleSchemeDisallowed, scheme);

        if (settings.AllowedHosts.Count > 0)
        {
            if (!ContainsHost(settings.AllowedHosts, uri)) Refuse(uri, Messages.ImportRuleHostNotAllowed, host);
        }
        else if (ContainsHost(settings.DisallowedHosts, uri)) Refuse(uri, Messages.ImportRuleHostDisallowed, host);

        if (settings.AllowedPorts.Count > 0)
        {
            if (!settings.AllowedPorts.Contains(port)) Refuse(uri, Messages.ImportRulePortNotAllowed, port);
        }
        else if (settings.DisallowedPorts.Contains(port)) Refuse(uri, Messages.ImportRulePortDisallowed, port);
    }

    private static bool Contains(IEnumerable<string> names, string value) =>
        names.Any(name => string.Equals(name, value, StringComparison.OrdinalIgnoreCase));

    /// <summary>A host as written (Host) or in its ASCII form (IdnHost), a trailing dot ignored; IPv6 with or without brackets.</summary>
    private static bool ContainsHost(IEnumerable<string> names, Uri uri)
    {
        var forms = new[] { uri.Host, uri.IdnHost, uri.Host.Trim('[', ']') }.Select(h => h.TrimEnd('.')).ToArray();
        return names.Any(name => forms.Any(form => string.Equals(name.Trim('[', ']').TrimEnd('.'), form.Trim('[', ']'), StringComparison.OrdinalIgnoreCase)));
    }

    private static void Refuse(Uri uri, string rule, object value) =>
        throw ImageErrors.ImportUriRefused(UriText.Safe(uri), string.Format(System.Globalization.CultureInfo.CurrentCulture, rule, value));
}
