using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;

namespace ImagePs.Commands;

/// <summary>
/// A <c>-Property @{ key = value }</c> hashtable as the core takes it: keys as strings, values
/// converted the way PowerShell converts to [string], a $null value kept as null (each cmdlet's core
/// call says what a null means: refused on create, removed on change).
/// </summary>
internal static class PropertyTable
{
    public static Dictionary<string, string?> Read(Hashtable table)
    {
        var properties = new Dictionary<string, string?>(System.StringComparer.Ordinal);
        foreach (DictionaryEntry entry in table)
            properties[entry.Key?.ToString() ?? ""] = entry.Value is null ? null : LanguagePrimitives.ConvertTo<string>(entry.Value);
        return properties;
    }
}
