using System.Text.Json;

namespace MwgActors.Protocol.Json;

/// <summary>
/// Server side of <c>mwg.json.v1</c>: decodes a client's text frame (UTF-8 JSON) into a <see cref="Request"/>.
/// A request is an object with <c>requestId</c>, <c>action</c> and its arguments; <c>{"p":1}</c> is
/// Kuzzle's heartbeat, a <see cref="Ping"/> without id. Throws nothing but <see cref="ProtocolException"/>.
/// Stateless and thread-safe.
/// </summary>
public sealed class JsonServerDecoder
{
    private readonly ProtocolLimits _limits;

    public JsonServerDecoder(ProtocolLimits? limits = null) => _limits = (limits ?? ProtocolLimits.Default).Validate();

    public Request Decode(ReadOnlySpan<byte> frame)
    {
        if (frame.Length > _limits.MaxFrameBytes)
        {
            throw new ProtocolException(ErrorCode.FrameTooLarge, "frame exceeds the frame size limit");
        }

        var id = RequestId.None;
        try
        {
            // Pass 1: the envelope (id, action, encoding), wherever they are in the object.
            var envelope = ReadEnvelope(frame);
            id = envelope.Id;
            if (envelope.Heartbeat)
            {
                return new Ping(RequestId.None);
            }

            // Pass 2: the arguments, now that their encoding is known.
            return ReadArguments(frame, envelope.Action, id);
        }
        catch (JsonException)
        {
            throw JsonWire.Bad("invalid JSON", id);
        }
        catch (InvalidOperationException)
        {
            // Utf8JsonReader's complaint about a string it cannot unescape (a lone surrogate).
            throw JsonWire.Bad("invalid JSON string", id);
        }
    }

    private static Envelope ReadEnvelope(ReadOnlySpan<byte> frame)
    {
        var reader = new Utf8JsonReader(frame, JsonWire.ReaderOptions);
        JsonWire.Expect(ref reader, JsonTokenType.StartObject, RequestId.None);
        byte[]? idBytes = null;
        string? action = null;
        var encoding = ValueEncoding.Utf8;
        var heartbeat = false;
        var others = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("requestId"u8))
            {
                reader.Read();
                idBytes = JsonWire.ReadBytes(ref reader, ValueEncoding.Utf8, JsonWire.MaxRequestIdBytes, ErrorCode.BadFrame, RequestId.None);
            }
            else if (reader.ValueTextEquals("action"u8))
            {
                reader.Read();
                action = reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length <= 32 && !reader.ValueIsEscaped
                    ? System.Text.Encoding.UTF8.GetString(reader.ValueSpan)
                    : "?";
            }
            else if (reader.ValueTextEquals("encoding"u8))
            {
                reader.Read();
                encoding = JsonWire.ReadEncoding(ref reader, RequestId.None);
            }
            else if (reader.ValueTextEquals("p"u8))
            {
                reader.Read();
                heartbeat = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var p) && p == 1
                    ? true
                    : throw JsonWire.Bad("the heartbeat is {\"p\":1}", RequestId.None);
            }
            else
            {
                others++;
                reader.Read();
                JsonWire.Skip(ref reader);
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            throw JsonWire.Bad("one JSON object per frame", RequestId.None);
        }

        if (heartbeat)
        {
            return idBytes is null && action is null && others == 0
                ? new Envelope(RequestId.None, "ping", Heartbeat: true)
                : throw JsonWire.Bad("the heartbeat is {\"p\":1} alone", RequestId.None);
        }

        if (idBytes is null || idBytes.Length == 0)
        {
            throw JsonWire.Bad("requestId must be a non-empty string", RequestId.None);
        }

        if (idBytes.AsSpan().StartsWith("mwg."u8))
        {
            throw JsonWire.Bad("requestIds starting with \"mwg.\" are reserved for server rooms", RequestId.None);
        }

        var id = new RequestId(idBytes, encoding);
        return action is null
            ? throw JsonWire.Bad("action is missing", id)
            : new Envelope(id, action, Heartbeat: false);
    }

    private Request ReadArguments(ReadOnlySpan<byte> frame, string action, RequestId id)
    {
        var encoding = id.Encoding;
        var reader = new Utf8JsonReader(frame, JsonWire.ReaderOptions);
        reader.Read();
        byte[][]? keys = null;
        KeyValue[]? pairs = null;
        int? prefix = null;
        byte[]? token = null;
        string? authToken = null;
        long? since = null;
        long minRevision = 0;
        long? subscription = null;
        var includeValues = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueSpan;
            var escaped = reader.ValueIsEscaped;
            reader.Read();
            if (escaped)
            {
                JsonWire.Skip(ref reader);
            }
            else if (name.SequenceEqual("keys"u8) || name.SequenceEqual("prefixes"u8))
            {
                keys = JsonWire.ReadList(ref reader, encoding, _limits, id, subscribe: action == "subscribe");
            }
            else if (name.SequenceEqual("pairs"u8))
            {
                pairs = ReadPairs(ref reader, id);
            }
            else if (name.SequenceEqual("prefix"u8))
            {
                prefix = JsonWire.ReadNonNegativeInt(ref reader, id);
            }
            else if (name.SequenceEqual("leaseToken"u8))
            {
                token = JsonWire.ReadBytes(ref reader, ValueEncoding.Base64, JsonWire.MaxTokenBytes, ErrorCode.BadFrame, id);
            }
            else if (name.SequenceEqual("token"u8))
            {
                // Always text, whatever the request's value encoding.
                authToken = System.Text.Encoding.UTF8.GetString(
                    JsonWire.ReadBytes(ref reader, ValueEncoding.Utf8, ProtocolLimits.MaxAuthTokenBytes, ErrorCode.BadFrame, id));
            }
            else if (name.SequenceEqual("since"u8))
            {
                since = reader.TokenType == JsonTokenType.Null ? null : JsonWire.ReadNonNegativeLong(ref reader, id);
            }
            else if (name.SequenceEqual("minRevision"u8))
            {
                minRevision = JsonWire.ReadNonNegativeLong(ref reader, id);
            }
            else if (name.SequenceEqual("subscriptionId"u8))
            {
                subscription = JsonWire.ReadNonNegativeLong(ref reader, id);
            }
            else if (name.SequenceEqual("includeValues"u8))
            {
                includeValues = JsonWire.ReadBool(ref reader, id);
            }
            else
            {
                JsonWire.Skip(ref reader);
            }
        }

        return action switch
        {
            "get" => new Get(id, keys ?? throw Missing("keys", id), minRevision),
            "put" => new Put(id, pairs ?? throw Missing("pairs", id)),
            "remove" => new Remove(id, keys ?? throw Missing("keys", id)),
            "lock" => (prefix, token) switch
            {
                (null, null) => new Lock(id),
                ({ } p, { } t) => new Lock(id, new LeaseClaim(p, t)),
                _ => throw JsonWire.Bad("a reclaim needs both prefix and leaseToken", id),
            },
            "unlock" => new Unlock(id, prefix ?? throw Missing("prefix", id), token ?? throw Missing("leaseToken", id)),
            "subscribe" => new Subscribe(id, keys ?? throw Missing("prefixes", id), since, includeValues),
            "unsubscribe" => new Unsubscribe(id, subscription ?? throw Missing("subscriptionId", id)),
            "ping" => new Ping(id),
            "auth" => new Auth(id, authToken ?? throw Missing("token", id)),
            _ => throw new ProtocolException(ErrorCode.UnknownType, "unknown action", id),
        };
    }

    private KeyValue[] ReadPairs(ref Utf8JsonReader reader, RequestId id)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw JsonWire.Bad("pairs must be an array", id);
        }

        var encoding = id.Encoding;
        var pairs = new List<KeyValue>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (pairs.Count == _limits.MaxKeysPerBatch)
            {
                throw new ProtocolException(ErrorCode.TooManyKeys, "too many keys in one batch", id);
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw JsonWire.Bad("a pair is {\"key\":...,\"value\":...}", id);
            }

            byte[]? key = null;
            byte[]? value = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isKey = reader.ValueTextEquals("key"u8);
                var isValue = reader.ValueTextEquals("value"u8);
                reader.Read();
                if (isKey)
                {
                    key = JsonWire.ReadBytes(ref reader, encoding, _limits.MaxKeyBytes, ErrorCode.KeyTooLarge, id);
                }
                else if (isValue)
                {
                    value = JsonWire.ReadBytes(ref reader, encoding, _limits.MaxValueBytes, ErrorCode.ValueTooLarge, id);
                }
                else
                {
                    JsonWire.Skip(ref reader);
                }
            }

            pairs.Add(key is not null && value is not null
                ? new KeyValue(key, value)
                : throw JsonWire.Bad("a pair is {\"key\":...,\"value\":...}", id));
        }

        return [.. pairs];
    }

    private static ProtocolException Missing(string name, RequestId id) => JsonWire.Bad(name + " is missing", id);

    private readonly record struct Envelope(RequestId Id, string Action, bool Heartbeat);
}
