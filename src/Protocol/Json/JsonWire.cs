using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace MwgActors.Protocol.Json;

/// <summary>Field names, rooms and the value reading and writing shared by the JSON codec.</summary>
internal static class JsonWire
{
    /// <summary>Rooms the server names start with this; a requestId may not.</summary>
    public const string ReservedPrefix = "mwg.";
    public const string ServerRoom = "mwg.server";
    public const string ChannelPrefix = "mwg.sub.";
    public const int MaxRequestIdBytes = 128;
    public const int MaxTokenBytes = 256;

    public static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 8, CommentHandling = JsonCommentHandling.Disallow };

    // Relaxed escaping: Base64's '+' and '/' stay readable; these frames never land in HTML.
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    public static string Channel(long subscriptionId) => ChannelPrefix + subscriptionId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Writes <c>"mwg.sub.N"</c> without allocating a string.</summary>
    public static void WriteChannel(Utf8JsonWriter writer, ReadOnlySpan<byte> property, long subscriptionId)
    {
        Span<byte> text = stackalloc byte[8 + 20];
        "mwg.sub."u8.CopyTo(text);
        subscriptionId.TryFormat(text[8..], out var written, default, System.Globalization.CultureInfo.InvariantCulture);
        writer.WriteString(property, text[..(8 + written)]);
    }

    /// <summary>The subscription id of a channel room, or null when <paramref name="room"/> is not one.</summary>
    public static long? ParseChannel(string room) =>
        room.StartsWith(ChannelPrefix, StringComparison.Ordinal)
        && long.TryParse(room.AsSpan(ChannelPrefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
            ? id
            : null;

    public static ProtocolException Bad(string reason, RequestId id) => new(ErrorCode.BadFrame, reason, id);

    public static void Expect(ref Utf8JsonReader reader, JsonTokenType type, RequestId id)
    {
        if (!reader.Read() || reader.TokenType != type)
        {
            throw Bad($"expected {type}", id);
        }
    }

    /// <summary>The current string token as bytes: its UTF-8, or its Base64 decoded; checked against <paramref name="max"/> before the copy that is kept.</summary>
    public static byte[] ReadBytes(ref Utf8JsonReader reader, ValueEncoding encoding, int max, ErrorCode tooLarge, RequestId id)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw Bad("expected a string", id);
        }

        var raw = reader.HasValueSequence ? (int)reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (encoding == ValueEncoding.Base64)
        {
            // Decoded Base64 is at most 3/4 of its text (escapes only make the text longer).
            if ((long)raw / 4 * 3 > (long)max + 2)
            {
                throw TooLarge(tooLarge, id);
            }

            if (!reader.TryGetBytesFromBase64(out var decoded))
            {
                throw Bad("invalid Base64", id);
            }

            return decoded.Length <= max ? decoded : throw TooLarge(tooLarge, id);
        }

        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            return raw <= max ? reader.ValueSpan.ToArray() : throw TooLarge(tooLarge, id);
        }

        // Unescaping never lengthens, so the raw length bounds the copy.
        if (raw > max * 6L + 6)
        {
            throw TooLarge(tooLarge, id);
        }

        var buffer = new byte[raw];
        var written = reader.CopyString(buffer);
        return written <= max ? buffer.AsSpan(0, written).ToArray() : throw TooLarge(tooLarge, id);
    }

    /// <summary>An array of strings (keys), at most the batch limit.</summary>
    public static byte[][] ReadList(ref Utf8JsonReader reader, ValueEncoding encoding, ProtocolLimits limits, RequestId id) =>
        ReadList(ref reader, encoding, limits, id, subscribe: false);

    /// <summary>
    /// An array of strings: keys (at most the batch limit) or, for a subscribe, prefixes: at most
    /// <see cref="ProtocolLimits.MaxPrefixesPerSubscription"/> of them, together at most
    /// <see cref="ProtocolLimits.MaxPrefixBytesPerConnection"/> bytes (more could never fit the connection's budget).
    /// Refused as soon as a bound is crossed, before the next item is allocated.
    /// </summary>
    public static byte[][] ReadList(ref Utf8JsonReader reader, ValueEncoding encoding, ProtocolLimits limits, RequestId id, bool subscribe)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Bad("expected an array", id);
        }

        var maxItems = subscribe ? limits.MaxPrefixesPerSubscription : limits.MaxKeysPerBatch;
        var items = new List<byte[]>();
        long bytes = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (items.Count == maxItems)
            {
                throw subscribe
                    ? new ProtocolException(ErrorCode.TooManyPrefixes, "too many prefixes in one subscription", id)
                    : new ProtocolException(ErrorCode.TooManyKeys, "too many keys in one batch", id);
            }

            var item = ReadBytes(ref reader, encoding, limits.MaxKeyBytes, ErrorCode.KeyTooLarge, id);
            bytes += item.Length;
            if (subscribe && bytes > limits.MaxPrefixBytesPerConnection)
            {
                throw new ProtocolException(ErrorCode.TooManyPrefixes, "the prefixes exceed the connection's prefix bytes", id);
            }

            items.Add(item);
        }

        return [.. items];
    }

    public static long ReadNonNegativeLong(ref Utf8JsonReader reader, RequestId id) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) && value >= 0
            ? value
            : throw Bad("expected a non-negative integer", id);

    public static int ReadNonNegativeInt(ref Utf8JsonReader reader, RequestId id) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value) && value >= 0
            ? value
            : throw Bad("expected a non-negative integer", id);

    public static bool ReadBool(ref Utf8JsonReader reader, RequestId id) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw Bad("expected true or false", id),
    };

    public static ValueEncoding ReadEncoding(ref Utf8JsonReader reader, RequestId id)
    {
        if (reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("base64"u8))
        {
            return ValueEncoding.Base64;
        }

        return reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("utf8"u8)
            ? ValueEncoding.Utf8
            : throw Bad("encoding must be \"utf8\" or \"base64\"", id);
    }

    /// <summary>Reads a property value that is not used: skips objects and arrays whole.</summary>
    public static void Skip(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            reader.Skip();
        }
    }

    /// <summary>Throws <see cref="ErrorCode.NotRepresentable"/> when a UTF-8 client cannot be sent <paramref name="bytes"/>.</summary>
    public static void CheckWritable(ReadOnlySpan<byte> bytes, ValueEncoding encoding, RequestId id)
    {
        if (encoding == ValueEncoding.Utf8 && !Utf8.IsValid(bytes))
        {
            throw new ProtocolException(ErrorCode.NotRepresentable, "the value is not UTF-8; ask with \"encoding\":\"base64\"", id);
        }
    }

    public static void WriteBytes(Utf8JsonWriter writer, ReadOnlySpan<byte> bytes, ValueEncoding encoding)
    {
        if (encoding == ValueEncoding.Base64)
        {
            writer.WriteBase64StringValue(bytes);
        }
        else
        {
            writer.WriteStringValue(bytes);
        }
    }

    public static void WriteList(Utf8JsonWriter writer, string name, IReadOnlyList<byte[]> items, ValueEncoding encoding)
    {
        writer.WriteStartArray(name);
        for (var i = 0; i < items.Count; i++)
        {
            WriteBytes(writer, items[i], encoding);
        }

        writer.WriteEndArray();
    }

    /// <summary>Writes <c>"pairs": [{"key": .., "value": ..}, ..]</c>, as put requests and reload pushes carry them.</summary>
    public static void WritePairs(Utf8JsonWriter writer, IReadOnlyList<KeyValue> pairs, ValueEncoding encoding)
    {
        writer.WriteStartArray("pairs"u8);
        foreach (var pair in pairs)
        {
            writer.WriteStartObject();
            writer.WritePropertyName("key"u8);
            WriteBytes(writer, pair.Key, encoding);
            writer.WritePropertyName("value"u8);
            WriteBytes(writer, pair.Value, encoding);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    public static void WriteEncoding(Utf8JsonWriter writer, ValueEncoding encoding)
    {
        if (encoding == ValueEncoding.Base64)
        {
            writer.WriteString("encoding"u8, "base64"u8);
        }
    }

    private static ProtocolException TooLarge(ErrorCode code, RequestId id) =>
        new(code, code == ErrorCode.BadFrame ? "field too long" : "key or value exceeds its size limit", id);
}
