using System.Buffers;
using System.Text.Json;

namespace MwgActors.Protocol.Json;

/// <summary>
/// Server side of <c>mwg.json.v1</c>: writes replies and pushes as UTF-8 JSON, each with its <c>room</c>
/// (the requestId for replies, the subscription's channel or <c>mwg.server</c> for pushes). Values are
/// written the way the request asked (its <see cref="RequestId.Encoding"/>); notifications the way the
/// subscribe asked, which this encoder remembers from the <see cref="Subscribed"/> reply it wrote.
/// One instance per connection, used by one thread at a time.
/// </summary>
public sealed class JsonServerEncoder : IDisposable
{
    private readonly Dictionary<long, ValueEncoding> _subscriptionEncodings = [];
    private Utf8JsonWriter? _json;

    public void Dispose() => _json?.Dispose();

    public byte[] Encode(ProtocolMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Encode(message, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes one frame. A value a UTF-8 client cannot take is <see cref="ErrorCode.NotRepresentable"/>, nothing written.</summary>
    public void Encode(ProtocolMessage message, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(output);
        CheckWritable(message);
        var w = Writer(output);
        if (message is Pong { Id.IsNone: true })
        {
            // Kuzzle's heartbeat answer.
            w.WriteStartObject();
            w.WriteNumber("p"u8, 2);
            w.WriteEndObject();
            w.Flush();
            return;
        }

        w.WriteStartObject();
        switch (message)
        {
            case Reply reply:
                WriteReply(w, reply);
                break;
            case Push push:
                WritePush(w, push);
                break;
            default:
                throw new ArgumentException($"the server does not send {message.GetType().Name}", nameof(message));
        }

        w.WriteEndObject();
        w.Flush();
    }

    private void WriteReply(Utf8JsonWriter w, Reply reply)
    {
        var id = reply.Id;
        if (id.IsNone)
        {
            // An error about a frame whose requestId could not be read.
            w.WriteString("room"u8, JsonWire.ServerRoom);
        }
        else
        {
            w.WriteString("room"u8, id.Bytes);
            w.WriteString("requestId"u8, id.Bytes);
        }

        JsonWire.WriteEncoding(w, id.Encoding);
        if (reply is Error error)
        {
            w.WriteNumber("status"u8, error.Code.HttpStatus());
            w.WriteStartObject("error"u8);
            w.WriteString("id"u8, error.Code.ToString());
            w.WriteNumber("code"u8, (int)error.Code);
            w.WriteString("message"u8, Truncate(error.Reason, ProtocolLimits.MaxReasonBytes));
            w.WriteEndObject();
            return;
        }

        w.WriteString("action"u8, JsonActions.Of(reply));
        w.WriteNumber("status"u8, 200);
        w.WriteStartObject("result"u8);
        switch (reply)
        {
            case GetResult r:
                w.WriteStartArray("values"u8);
                foreach (var value in r.Values)
                {
                    if (value is null)
                    {
                        w.WriteNullValue();
                    }
                    else
                    {
                        JsonWire.WriteBytes(w, value, id.Encoding);
                    }
                }

                w.WriteEndArray();
                break;
            case PutResult r:
                WriteOk(w, r.Ok, r.Revision);
                break;
            case RemoveResult r:
                WriteOk(w, r.Ok, r.Revision);
                if (r.Changed is { } changed)
                {
                    w.WriteNumber("changed"u8, changed);
                }

                break;
            case LockResult r:
                w.WriteNumber("prefix"u8, r.Prefix);
                w.WriteBase64String("leaseToken"u8, r.LeaseToken);
                break;
            case Subscribed r:
                _subscriptionEncodings[r.SubscriptionId] = id.Encoding;
                w.WriteNumber("subscriptionId"u8, r.SubscriptionId);
                JsonWire.WriteChannel(w, "channel"u8, r.SubscriptionId);
                w.WriteNumber("revision"u8, r.CurrentRevision);
                break;
            case AuthResult r:
                w.WriteString("subject"u8, Truncate(r.Subject, ProtocolLimits.MaxSubjectBytes));
                if (r.ExpiresAtUnixMs is { } expiresAt)
                {
                    w.WriteNumber("expiresAt"u8, expiresAt);
                }

                break;
            case Unsubscribed or UnlockResult or Pong:
                break;
            default:
                throw new ArgumentException($"unknown reply {reply.GetType().Name}", nameof(reply));
        }

        w.WriteEndObject();
    }

    private void WritePush(Utf8JsonWriter w, Push push)
    {
        var encoding = EncodingOf(push);
        var subscription = push switch
        {
            ChangeNotification n => n.SubscriptionId,
            ReloadKeys r => r.SubscriptionId,
            ReloadAll r => r.SubscriptionId,
            _ => (long?)null,
        };
        if (subscription is { } s)
        {
            JsonWire.WriteChannel(w, "room"u8, s);
        }
        else
        {
            w.WriteString("room"u8, JsonWire.ServerRoom);
        }

        w.WriteString("action"u8, JsonActions.Of(push));
        JsonWire.WriteEncoding(w, encoding);
        w.WriteStartObject("result"u8);
        if (subscription is { } sub)
        {
            w.WriteNumber("subscriptionId"u8, sub);
        }

        switch (push)
        {
            case ChangeNotification n:
                w.WriteNumber("revision"u8, n.Revision);
                w.WriteStartArray("changes"u8);
                foreach (var change in n.Changes)
                {
                    w.WriteStartObject();
                    w.WritePropertyName("key"u8);
                    JsonWire.WriteBytes(w, change.Key, encoding);
                    if (change.Removed)
                    {
                        w.WriteBoolean("removed"u8, true);
                    }
                    else if (change.Value is { } value)
                    {
                        w.WritePropertyName("value"u8);
                        JsonWire.WriteBytes(w, value, encoding);
                    }

                    w.WriteEndObject();
                }

                w.WriteEndArray();
                break;
            case ReloadPairs p:
                JsonWire.WritePairs(w, p.Pairs, encoding);
                break;
            case ReloadKeys r:
                JsonWire.WriteList(w, "keys", r.Keys, encoding);
                JsonWire.WriteList(w, "prefixes", r.Prefixes, encoding);
                break;
            case ReloadAll or TokenExpired:
                break;
            case Hello h:
                w.WriteNumber("version"u8, h.Version);
                w.WriteString("serverId"u8, h.ServerId);
                w.WriteStartObject("limits"u8);
                w.WriteNumber("maxFrameBytes"u8, h.Limits.MaxFrameBytes);
                w.WriteNumber("maxKeysPerBatch"u8, h.Limits.MaxKeysPerBatch);
                w.WriteNumber("maxKeyBytes"u8, h.Limits.MaxKeyBytes);
                w.WriteNumber("maxValueBytes"u8, h.Limits.MaxValueBytes);
                w.WriteNumber("maxSubscriptionsPerConnection"u8, h.Limits.MaxSubscriptionsPerConnection);
                w.WriteNumber("maxPrefixesPerSubscription"u8, h.Limits.MaxPrefixesPerSubscription);
                w.WriteNumber("maxPrefixBytesPerConnection"u8, h.Limits.MaxPrefixBytesPerConnection);
                w.WriteEndObject();
                break;
            default:
                throw new ArgumentException($"unknown push {push.GetType().Name}", nameof(push));
        }

        w.WriteEndObject();
    }

    /// <summary>Forgets a subscription's encoding once it is gone.</summary>
    public void Forget(long subscriptionId) => _subscriptionEncodings.Remove(subscriptionId);

    private ValueEncoding EncodingOf(Push push)
    {
        var subscription = push switch
        {
            ChangeNotification n => n.SubscriptionId,
            ReloadKeys { SubscriptionId: { } s } => s,
            _ => -1,
        };
        if (subscription >= 0 && _subscriptionEncodings.TryGetValue(subscription, out var known))
        {
            return known;
        }

        // Connection-wide pushes: plain text when every byte is UTF-8, else Base64 (the frame says which).
        return AllUtf8(push) ? ValueEncoding.Utf8 : ValueEncoding.Base64;
    }

    private void CheckWritable(ProtocolMessage message)
    {
        switch (message)
        {
            case GetResult r:
                foreach (var value in r.Values)
                {
                    JsonWire.CheckWritable(value, r.Id.Encoding, r.Id);
                }

                break;
            case ChangeNotification or ReloadKeys or ReloadPairs:
                if (EncodingOf((Push)message) == ValueEncoding.Utf8 && !AllUtf8((Push)message))
                {
                    throw new ProtocolException(ErrorCode.NotRepresentable, "a value is not UTF-8; subscribe with \"encoding\":\"base64\"");
                }

                break;
        }
    }

    private static bool AllUtf8(Push push) => push switch
    {
        ChangeNotification n => n.Changes.All(c => System.Text.Unicode.Utf8.IsValid(c.Key) && System.Text.Unicode.Utf8.IsValid(c.Value)),
        ReloadPairs p => p.Pairs.All(kv => System.Text.Unicode.Utf8.IsValid(kv.Key) && System.Text.Unicode.Utf8.IsValid(kv.Value)),
        ReloadKeys r => r.Keys.All(k => System.Text.Unicode.Utf8.IsValid(k)) && r.Prefixes.All(k => System.Text.Unicode.Utf8.IsValid(k)),
        _ => true,
    };

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];

    private static void WriteOk(Utf8JsonWriter w, bool ok, long? revision)
    {
        w.WriteBoolean("ok"u8, ok);
        if (revision is { } r)
        {
            w.WriteNumber("revision"u8, r);
        }
    }

    private Utf8JsonWriter Writer(IBufferWriter<byte> output)
    {
        if (_json is null)
        {
            _json = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        }
        else
        {
            _json.Reset(output);
        }

        return _json;
    }
}
