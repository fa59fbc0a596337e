using System;
using System.Collections.Generic;
using System.Globalization;

namespace ImagePs.Formats;

/// <summary>
/// A VMDK text descriptor, parsed cautiously (the way Glance does): every line must be a comment, a
/// <c>ddb.</c> line, a <c>key=value</c> header line or an extent line; anything else is a finding.
/// </summary>
internal sealed class VmdkDescriptor
{
    private static readonly string[] ExtentAccess = { "RW", "RDONLY", "NOACCESS" };

    private VmdkDescriptor()
    {
    }

    public string? CreateType { get; private set; }
    public string? ParentFileNameHint { get; private set; }
    public List<Extent> Extents { get; } = new();

    /// <summary>Lines that are none of the known kinds (already cut for messages).</summary>
    public List<string> UnknownLines { get; } = new();

    public bool IsAscii { get; private set; } = true;

    public sealed class Extent
    {
        public Extent(string type, ulong sectors, string? fileName)
        {
            Type = type;
            Sectors = sectors;
            FileName = fileName;
        }

        public string Type { get; }
        public ulong Sectors { get; }
        public string? FileName { get; }
    }

    /// <summary>Parses <paramref name="count"/> bytes at <paramref name="start"/>, stopping at the first NUL (the padding).</summary>
    public static VmdkDescriptor Parse(byte[] bytes, int start, int count)
    {
        var descriptor = new VmdkDescriptor();
        var end = start;
        while (end < start + count && end < bytes.Length && bytes[end] != 0) end++;
        var chars = new char[end - start];
        for (var i = start; i < end; i++)
        {
            if (bytes[i] >= 0x80) descriptor.IsAscii = false;
            chars[i - start] = (char)bytes[i];
        }
        foreach (var raw in new string(chars).Split('\n')) descriptor.ParseLine(raw.Trim());
        return descriptor;
    }

    /// <summary>True when the text looks like a descriptor: ASCII lines, one of them a createType.</summary>
    public static bool LooksLikeDescriptor(byte[] bytes)
    {
        var end = Array.IndexOf(bytes, (byte)0);
        if (end < 0) end = bytes.Length;
        if (end == 0) return false;
        for (var i = 0; i < end; i++)
        {
            var b = bytes[i];
            if (b >= 0x7f || (b < 0x20 && b != '\n' && b != '\r' && b != '\t')) return false;
        }
        var text = System.Text.Encoding.ASCII.GetString(bytes, 0, end);
        if (text.StartsWith("# Disk DescriptorFile", StringComparison.OrdinalIgnoreCase)) return true;
        foreach (var line in text.Split('\n'))
        {
            if (line.TrimStart().StartsWith("createType", StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    private void ParseLine(string line)
    {
        if (line.Length == 0 || line.StartsWith("#", StringComparison.Ordinal)) return;
        if (line.StartsWith("ddb.", StringComparison.OrdinalIgnoreCase)) return;

        var firstWord = line.Split(new[] { ' ', '\t' }, 2)[0];
        if (Array.Exists(ExtentAccess, a => string.Equals(a, firstWord, StringComparison.OrdinalIgnoreCase)))
        {
            Extents.Add(ParseExtent(line));
            return;
        }

        var equals = line.IndexOf('=');
        if (equals > 0 && line.Substring(0, equals).Trim().IndexOfAny(new[] { ' ', '\t' }) < 0)
        {
            var key = line.Substring(0, equals).Trim();
            var value = Unquote(line.Substring(equals + 1).Trim());
            if (string.Equals(key, "createType", StringComparison.OrdinalIgnoreCase)) CreateType = value;
            else if (string.Equals(key, "parentFileNameHint", StringComparison.OrdinalIgnoreCase)) ParentFileNameHint = value;
            return;
        }

        UnknownLines.Add(ErrorsShorten(line));
    }

    /// <summary><c>ACCESS SECTORS TYPE ["FILE" [OFFSET]]</c>.</summary>
    private static Extent ParseExtent(string line)
    {
        string? fileName = null;
        var quote = line.IndexOf('"');
        var head = quote < 0 ? line : line.Substring(0, quote);
        if (quote >= 0)
        {
            var close = line.IndexOf('"', quote + 1);
            fileName = close < 0 ? line.Substring(quote + 1) : line.Substring(quote + 1, close - quote - 1);
        }
        var words = head.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
        var sectors = words.Length > 1 && ulong.TryParse(words[1], NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 0;
        var type = words.Length > 2 ? words[2] : "";
        return new Extent(type, sectors, fileName);
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && value[0] == '"' && value[value.Length - 1] == '"' ? value.Substring(1, value.Length - 2) : value;

    private static string ErrorsShorten(string line) => ByteFields.Printable(line.Length <= 80 ? line : line.Substring(0, 77) + "...");
}
