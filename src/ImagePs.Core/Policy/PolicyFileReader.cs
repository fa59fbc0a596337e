using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;
using ImagePs.Errors;

namespace ImagePs.Policy;

/// <summary>
/// Reads a policy file: a JSON object (<c>policy.json</c>) or a YAML mapping (<c>policy.yaml</c>) of
/// rule names to rule texts, as oslo.policy's files are, keeping each rule's line for error messages.
/// </summary>
internal static class PolicyFileReader
{
    public static IReadOnlyList<PolicyFileEntry> Read(string path)
    {
        var bytes = Settings.ConfigurationFile.ReadBytes(path, reason => ImageErrors.InvalidPolicy(path, reason));
        var extension = System.IO.Path.GetExtension(path).ToLowerInvariant();
        return extension switch
        {
            ".json" => ReadJson(path, StripBom(bytes)),
            ".yaml" or ".yml" => PolicyYamlReader.Read(path, Encoding.UTF8.GetString(StripBom(bytes))),
            _ => throw ImageErrors.InvalidPolicy(path, Messages.PolicyFileExtension),
        };
    }

    public static IReadOnlyList<PolicyFileEntry> ReadJson(string path, byte[] json)
    {
        var entries = new List<PolicyFileEntry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var lines = new LineCounter(json);
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw ImageErrors.InvalidPolicy(path, Messages.PolicyNotAMapping);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var line = lines.LineOf(reader.TokenStartIndex);
                var name = reader.GetString()!;
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                    throw ImageErrors.InvalidPolicy(path, string.Format(Messages.PolicyValueNotText, line, name));
                if (!names.Add(name))
                    throw ImageErrors.InvalidPolicy(path, string.Format(Messages.PolicyDuplicateRule, line, name));
                entries.Add(new PolicyFileEntry(name, reader.GetString()!, line));
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
                throw ImageErrors.InvalidPolicy(path, string.Format(Messages.PolicyJsonTrailing, lines.LineOf(reader.TokenStartIndex)));
        }
        catch (JsonException e)
        {
            throw ImageErrors.InvalidPolicy(path, string.Format(Messages.PolicyJsonInvalid, (e.LineNumber ?? 0) + 1, e.Message));
        }
        return entries;
    }

    /// <summary>Line numbers for offsets that only move forward: counted once, not from the start each time.</summary>
    private sealed class LineCounter
    {
        private readonly byte[] _text;
        private long _index;
        private int _line = 1;

        public LineCounter(byte[] text) => _text = text;

        public int LineOf(long index)
        {
            for (; _index < index && _index < _text.Length; _index++)
            {
                if (_text[_index] == (byte)'\n') _line++;
            }
            return _line;
        }
    }

    private static byte[] StripBom(byte[] bytes) =>
        bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? bytes.AsSpan(3).ToArray() : bytes;
}
