using System.Text.Json;

namespace MwgActors.Protocol.Json;

/// <summary>
/// Client side of <c>mwg.json.v1</c>: decodes what the server sends into a <see cref="Reply"/> or a
/// <see cref="Push"/>; <c>{"p":2}</c> is a <see cref="Pong"/> without id. Every frame says its own value
/// encoding, so the decoder needs no state. Throws nothing but <see cref="ProtocolException"/>.
/// </summary>
public sealed class JsonClientDecoder
{
    private readonly ProtocolLimits _limits;

    public JsonClientDecoder(ProtocolLimits? limits = null) => _limits = (limits ?? ProtocolLimits.Default).Validate();

    public ProtocolMessage Decode(ReadOnlySpan<byte> frame)
    {
        if (frame.Length > _limits.MaxFrameBytes)
        {
            throw new ProtocolException(ErrorCode.FrameTooLarge, "frame exceeds the frame size limit");
        }

        var id = RequestId.None;
        try
        {
            var envelope = ReadEnvelope(frame);
            id = envelope.Id;
            return envelope.Heartbeat ? new Pong(RequestId.None) : ReadBody(frame, envelope);
        }
        catch (JsonException)
        {
            throw JsonWire.Bad("invalid JSON", id);
        }
        catch (InvalidOperationException)
        {
            throw JsonWire.Bad("invalid JSON string", id);
        }
    }

    private static Envelope ReadEnvelope(ReadOnlySpan<byte> frame)
    {
        var reader = new Utf8JsonReader(frame, JsonWire.ReaderOptions);
        JsonWire.Expect(ref reader, JsonTokenType.StartObject, RequestId.None);
        byte[]? idBytes = null;
        string? room = null;
        string? action = null;
        var encoding = ValueEncoding.Utf8;
        var heartbeat = false;
        var hasError = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("requestId"u8))
            {
                reader.Read();
                idBytes = JsonWire.ReadBytes(ref reader, ValueEncoding.Utf8, JsonWire.MaxRequestIdBytes, ErrorCode.BadFrame, RequestId.None);
            }
            else if (reader.ValueTextEquals("room"u8))
            {
                reader.Read();
                room = ReadShortString(ref reader);
            }
            else if (reader.ValueTextEquals("action"u8))
            {
                reader.Read();
                action = ReadShortString(ref reader);
            }
            else if (reader.ValueTextEquals("encoding"u8))
            {
                reader.Read();
                encoding = JsonWire.ReadEncoding(ref reader, RequestId.None);
            }
            else if (reader.ValueTextEquals("p"u8))
            {
                reader.Read();
                heartbeat = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var p) && p == 2
                    ? true
                    : throw JsonWire.Bad("the heartbeat answer is {\"p\":2}", RequestId.None);
            }
            else
            {
                hasError |= reader.ValueTextEquals("error"u8);
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
            return new Envelope(RequestId.None, null, null, ValueEncoding.Utf8, Heartbeat: true, IsError: false);
        }

        var id = idBytes is null ? RequestId.None : new RequestId(idBytes, encoding);
        if (room is null)
        {
            throw JsonWire.Bad("every server message has a room", id);
        }

        if (!hasError && action is null)
        {
            throw JsonWire.Bad("action is missing", id);
        }

        return new Envelope(id, room, action, encoding, Heartbeat: false, IsError: hasError);
    }

    private ProtocolMessage ReadBody(ReadOnlySpan<byte> frame, Envelope envelope)
    {
        var id = envelope.Id;
        var reader = new Utf8JsonReader(frame, JsonWire.ReaderOptions);
        reader.Read();
        var body = new Body();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isResult = reader.ValueTextEquals("result"u8);
            var isError = reader.ValueTextEquals("error"u8);
            reader.Read();
            if (isResult || isError)
            {
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw JsonWire.Bad("result and error are objects", id);
                }

                ReadFields(ref reader, envelope.Encoding, id, body);
            }
            else
            {
                JsonWire.Skip(ref reader);
            }
        }

        if (envelope.IsError)
        {
            var code = body.Code is { } c && ErrorCodes.IsDefined(c) ? (ErrorCode)c : ErrorCode.Internal;
            return new Error(id, code, body.Message ?? string.Empty);
        }

        var subscription = body.SubscriptionId ?? JsonWire.ParseChannel(envelope.Room!);
        ProtocolMessage message = envelope.Action switch
        {
            "get" => new GetResult(RequireId(id), body.Values ?? throw Missing("values", id)),
            "put" => new PutResult(RequireId(id), body.Ok ?? throw Missing("ok", id), body.Revision),
            "remove" => new RemoveResult(RequireId(id), body.Ok ?? throw Missing("ok", id), body.Revision, body.Changed),
            "lock" => new LockResult(RequireId(id), body.Prefix ?? throw Missing("prefix", id), body.Token ?? throw Missing("leaseToken", id)),
            "unlock" => new UnlockResult(RequireId(id)),
            "subscribe" => new Subscribed(RequireId(id), body.SubscriptionId ?? throw Missing("subscriptionId", id), body.Revision ?? throw Missing("revision", id)),
            "unsubscribe" => new Unsubscribed(RequireId(id)),
            "ping" => new Pong(RequireId(id)),
            "notify" => new ChangeNotification(subscription ?? throw Missing("subscriptionId", id), body.Revision ?? throw Missing("revision", id), body.Changes ?? throw Missing("changes", id)),
            "reload" => new ReloadPairs(body.Pairs ?? throw Missing("pairs", id)),
            "reloadKeys" => new ReloadKeys(body.SubscriptionId, body.Keys ?? throw Missing("keys", id), body.Prefixes ?? throw Missing("prefixes", id)),
            "reloadAll" => new ReloadAll(subscription ?? throw Missing("subscriptionId", id)),
            "auth" => new AuthResult(RequireId(id), body.Subject ?? throw Missing("subject", id), body.ExpiresAt),
            "tokenExpired" => new TokenExpired(),
            "hello" => new Hello(body.Version ?? throw Missing("version", id), body.ServerId ?? throw Missing("serverId", id), body.Limits ?? throw Missing("limits", id)),
            _ => throw new ProtocolException(ErrorCode.UnknownType, "unknown action", id),
        };
        return message;
    }

    private void ReadFields(ref Utf8JsonReader reader, ValueEncoding encoding, RequestId id, Body body)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueSpan;
            var escaped = reader.ValueIsEscaped;
            reader.Read();
            if (escaped)
            {
                JsonWire.Skip(ref reader);
            }
            else if (name.SequenceEqual("values"u8))
            {
                body.Values = ReadValues(ref reader, encoding, id);
            }
            else if (name.SequenceEqual("ok"u8))
            {
                body.Ok = JsonWire.ReadBool(ref reader, id);
            }
            else if (name.SequenceEqual("revision"u8))
            {
                body.Revision = JsonWire.ReadNonNegativeLong(ref reader, id);
            }
            else if (name.SequenceEqual("changed"u8))
            {
                body.Changed = JsonWire.ReadNonNegativeInt(ref reader, id);
            }
            else if (name.SequenceEqual("prefix"u8))
            {
                body.Prefix = JsonWire.ReadNonNegativeInt(ref reader, id);
            }
            else if (name.SequenceEqual("leaseToken"u8))
            {
                body.Token = JsonWire.ReadBytes(ref reader, ValueEncoding.Base64, JsonWire.MaxTokenBytes, ErrorCode.BadFrame, id);
            }
            else if (name.SequenceEqual("subscriptionId"u8))
            {
                body.SubscriptionId = JsonWire.ReadNonNegativeLong(ref reader, id);
            }
            else if (name.SequenceEqual("changes"u8))
            {
                body.Changes = ReadChanges(ref reader, encoding, id);
            }
            else if (name.SequenceEqual("pairs"u8))
            {
                body.Pairs = ReadPairs(ref reader, encoding, id);
            }
            else if (name.SequenceEqual("keys"u8))
            {
                body.Keys = JsonWire.ReadList(ref reader, encoding, _limits, id);
            }
            else if (name.SequenceEqual("prefixes"u8))
            {
                body.Prefixes = JsonWire.ReadList(ref reader, encoding, _limits, id);
            }
            else if (name.SequenceEqual("version"u8))
            {
                body.Version = JsonWire.ReadNonNegativeInt(ref reader, id);
            }
            else if (name.SequenceEqual("serverId"u8) || name.SequenceEqual("message"u8) || name.SequenceEqual("subject"u8))
            {
                var isServerId = name.SequenceEqual("serverId"u8);
                var isSubject = name.SequenceEqual("subject"u8);
                var text = System.Text.Encoding.UTF8.GetString(JsonWire.ReadBytes(ref reader, ValueEncoding.Utf8, ProtocolLimits.MaxReasonBytes * 4, ErrorCode.BadFrame, id));
                if (isServerId)
                {
                    body.ServerId = text;
                }
                else if (isSubject)
                {
                    body.Subject = text;
                }
                else
                {
                    body.Message = text;
                }
            }
            else if (name.SequenceEqual("expiresAt"u8))
            {
                body.ExpiresAt = JsonWire.ReadNonNegativeLong(ref reader, id);
            }
            else if (name.SequenceEqual("code"u8))
            {
                body.Code = JsonWire.ReadNonNegativeInt(ref reader, id);
            }
            else if (name.SequenceEqual("limits"u8))
            {
                body.Limits = ReadLimits(ref reader, id);
            }
            else
            {
                JsonWire.Skip(ref reader);
            }
        }
    }

    private byte[]?[] ReadValues(ref Utf8JsonReader reader, ValueEncoding encoding, RequestId id)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw JsonWire.Bad("values must be an array", id);
        }

        var values = new List<byte[]?>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (values.Count == _limits.MaxKeysPerBatch)
            {
                throw new ProtocolException(ErrorCode.TooManyKeys, "too many keys in one batch", id);
            }

            values.Add(reader.TokenType == JsonTokenType.Null
                ? null
                : JsonWire.ReadBytes(ref reader, encoding, _limits.MaxValueBytes, ErrorCode.ValueTooLarge, id));
        }

        return [.. values];
    }

    private Change[] ReadChanges(ref Utf8JsonReader reader, ValueEncoding encoding, RequestId id)
    {
        var changes = new List<Change>();
        foreach (var (key, value, removed) in ReadEntries(ref reader, encoding, id))
        {
            changes.Add(new Change(key, removed, removed ? null : value));
        }

        return [.. changes];
    }

    private KeyValue[] ReadPairs(ref Utf8JsonReader reader, ValueEncoding encoding, RequestId id)
    {
        var pairs = new List<KeyValue>();
        foreach (var (key, value, _) in ReadEntries(ref reader, encoding, id))
        {
            pairs.Add(new KeyValue(key, value ?? throw Missing("value", id)));
        }

        return [.. pairs];
    }

    /// <summary>An array of <c>{"key":..,"value":..,"removed":..}</c> objects.</summary>
    private List<(byte[] Key, byte[]? Value, bool Removed)> ReadEntries(ref Utf8JsonReader reader, ValueEncoding encoding, RequestId id)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw JsonWire.Bad("expected an array", id);
        }

        var entries = new List<(byte[], byte[]?, bool)>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (entries.Count == _limits.MaxKeysPerBatch)
            {
                throw new ProtocolException(ErrorCode.TooManyKeys, "too many keys in one batch", id);
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw JsonWire.Bad("expected an object", id);
            }

            byte[]? key = null;
            byte[]? value = null;
            var removed = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isKey = reader.ValueTextEquals("key"u8);
                var isValue = reader.ValueTextEquals("value"u8);
                var isRemoved = reader.ValueTextEquals("removed"u8);
                reader.Read();
                if (isKey)
                {
                    key = JsonWire.ReadBytes(ref reader, encoding, _limits.MaxKeyBytes, ErrorCode.KeyTooLarge, id);
                }
                else if (isValue)
                {
                    value = JsonWire.ReadBytes(ref reader, encoding, _limits.MaxValueBytes, ErrorCode.ValueTooLarge, id);
                }
                else if (isRemoved)
                {
                    removed = JsonWire.ReadBool(ref reader, id);
                }
                else
                {
                    JsonWire.Skip(ref reader);
                }
            }

            entries.Add((key ?? throw Missing("key", id), value, removed));
        }

        return entries;
    }

    private static ProtocolLimits ReadLimits(ref Utf8JsonReader reader, RequestId id)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw JsonWire.Bad("limits is an object", id);
        }

        var d = ProtocolLimits.Default;
        int frame = d.MaxFrameBytes, keys = d.MaxKeysPerBatch, key = d.MaxKeyBytes, value = d.MaxValueBytes, subs = d.MaxSubscriptionsPerConnection;
        int prefixes = d.MaxPrefixesPerSubscription, prefixBytes = d.MaxPrefixBytesPerConnection; // absent from older servers' hellos
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            ref var target = ref frame;
            var known = true;
            if (reader.ValueTextEquals("maxFrameBytes"u8))
            {
                target = ref frame;
            }
            else if (reader.ValueTextEquals("maxKeysPerBatch"u8))
            {
                target = ref keys;
            }
            else if (reader.ValueTextEquals("maxKeyBytes"u8))
            {
                target = ref key;
            }
            else if (reader.ValueTextEquals("maxValueBytes"u8))
            {
                target = ref value;
            }
            else if (reader.ValueTextEquals("maxSubscriptionsPerConnection"u8))
            {
                target = ref subs;
            }
            else if (reader.ValueTextEquals("maxPrefixesPerSubscription"u8))
            {
                target = ref prefixes;
            }
            else if (reader.ValueTextEquals("maxPrefixBytesPerConnection"u8))
            {
                target = ref prefixBytes;
            }
            else
            {
                known = false;
            }

            reader.Read();
            if (known)
            {
                var n = JsonWire.ReadNonNegativeInt(ref reader, id);
                target = n > 0 ? n : throw JsonWire.Bad("a limit must be positive", id);
            }
            else
            {
                JsonWire.Skip(ref reader);
            }
        }

        return new ProtocolLimits(frame, keys, key, value, subs, prefixes, prefixBytes);
    }

    private static string? ReadShortString(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length <= JsonWire.MaxRequestIdBytes * 6
            ? reader.GetString()
            : throw JsonWire.Bad("expected a short string", RequestId.None);

    private static RequestId RequireId(RequestId id) => id.IsNone ? throw JsonWire.Bad("a reply has a requestId", id) : id;

    private static ProtocolException Missing(string name, RequestId id) => JsonWire.Bad(name + " is missing", id);

    private readonly record struct Envelope(RequestId Id, string? Room, string? Action, ValueEncoding Encoding, bool Heartbeat, bool IsError);

    private sealed class Body
    {
        public byte[]?[]? Values { get; set; }

        public bool? Ok { get; set; }

        public long? Revision { get; set; }

        public int? Changed { get; set; }

        public int? Prefix { get; set; }

        public byte[]? Token { get; set; }

        public long? SubscriptionId { get; set; }

        public Change[]? Changes { get; set; }

        public KeyValue[]? Pairs { get; set; }

        public byte[][]? Keys { get; set; }

        public byte[][]? Prefixes { get; set; }

        public int? Version { get; set; }

        public string? ServerId { get; set; }

        public string? Message { get; set; }

        public string? Subject { get; set; }

        public long? ExpiresAt { get; set; }

        public int? Code { get; set; }

        public ProtocolLimits? Limits { get; set; }
    }
}
