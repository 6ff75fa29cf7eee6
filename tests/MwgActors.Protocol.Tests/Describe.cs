using System.Collections;
using System.Text;

namespace MwgActors.Protocol.Tests;

/// <summary>
/// A canonical text of a message with every byte array in hex, so tests compare contents
/// (records compare arrays by reference).
/// </summary>
internal static class Describe
{
    public static string Of(object? value) => value switch
    {
        null => "null",
        byte[] bytes => "0x" + Convert.ToHexString(bytes),
        string s => "\"" + s + "\"",
        RequestId id => id.IsNone ? "none" : $"id({id.Encoding}:{Convert.ToHexString(id.Bytes)})",
        IEnumerable items => "[" + string.Join(",", items.Cast<object?>().Select(Of)) + "]",
        ProtocolMessage or LeaseClaim or KeyValue or Change or ProtocolLimits => Fields(value),
        _ => value.ToString() ?? string.Empty,
    };

    private static string Fields(object value)
    {
        var text = new StringBuilder(value.GetType().Name).Append('{');
        foreach (var property in value.GetType().GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance).OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            text.Append(property.Name).Append('=').Append(Of(property.GetValue(value))).Append(';');
        }

        return text.Append('}').ToString();
    }
}

internal static class Bytes
{
    /// <summary>Hex with optional spaces.</summary>
    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

    /// <summary>Text with <c>\xNN</c> escapes, as mwdb-g1.md writes frames.</summary>
    public static byte[] Escaped(string text)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 3 < text.Length && text[i + 1] == 'x')
            {
                bytes.Add(Convert.ToByte(text.Substring(i + 2, 2), 16));
                i += 3;
            }
            else
            {
                bytes.Add((byte)text[i]);
            }
        }

        return [.. bytes];
    }

    public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    public static RequestId Id(string text) => new(Ascii(text));
}
