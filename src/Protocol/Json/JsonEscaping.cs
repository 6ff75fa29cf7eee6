using System.Text;

namespace MwgActors.Protocol.Json;

/// <summary>
/// How long a UTF-8 value is once written as a JSON string by this codec (relaxed escaping), counted without writing
/// it: a reply can be refused for its size before its frame is built. Short escapes (<c>\n</c>, <c>\"</c> ...) take 2
/// bytes, other escaped characters <c>\uXXXX</c> (6), or a surrogate pair of them (12) beyond the BMP.
/// </summary>
public static class JsonEscaping
{
    /// <summary>The bytes between the quotes; bytes that are not UTF-8 count as one escaped character each.</summary>
    public static long EncodedLength(ReadOnlySpan<byte> utf8)
    {
        var encoder = JsonWire.WriterOptions.Encoder!;
        long length = 0;
        while (!utf8.IsEmpty)
        {
            var plain = encoder.FindFirstCharacterToEncodeUtf8(utf8);
            if (plain < 0)
            {
                return length + utf8.Length;
            }

            length += plain;
            utf8 = utf8[plain..];
            Rune.DecodeFromUtf8(utf8, out var rune, out var consumed);
            length += rune.Value switch
            {
                '"' or '\\' or '\n' or '\r' or '\t' or '\b' or '\f' => 2,
                _ => rune.IsBmp ? 6 : 12,
            };
            utf8 = utf8[Math.Max(1, consumed)..];
        }

        return length;
    }
}
