using System.Buffers;
using System.Text.Json;

namespace MwgActors.Protocol.Json;

/// <summary>
/// Client side of <c>mwg.json.v1</c>: writes requests. Keys and values are written as UTF-8 text, or as
/// Base64 with <c>"encoding":"base64"</c> when the request's <see cref="RequestId.Encoding"/> says so.
/// A <see cref="Ping"/> without id is the heartbeat <c>{"p":1}</c>. One instance per connection, used by
/// one thread at a time.
/// </summary>
public sealed class JsonClientEncoder : IDisposable
{
    private Utf8JsonWriter? _json;

    public void Dispose() => _json?.Dispose();

    public byte[] Encode(Request request)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Encode(request, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public void Encode(Request request, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(output);
        var id = request.Id;
        var encoding = id.Encoding;
        CheckWritable(request, encoding);
        if (_json is null)
        {
            _json = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        }
        else
        {
            _json.Reset(output);
        }

        var w = _json;
        w.WriteStartObject();
        if (request is Ping && id.IsNone)
        {
            w.WriteNumber("p"u8, 1);
            w.WriteEndObject();
            w.Flush();
            return;
        }

        if (id.IsNone)
        {
            throw new ArgumentException("a JSON request needs a requestId", nameof(request));
        }

        w.WriteString("requestId"u8, id.Bytes);
        w.WriteString("action"u8, JsonActions.Of(request));
        JsonWire.WriteEncoding(w, encoding);
        switch (request)
        {
            case Get r:
                JsonWire.WriteList(w, "keys", r.Keys, encoding);
                if (r.MinRevision > 0)
                {
                    w.WriteNumber("minRevision"u8, r.MinRevision);
                }

                break;
            case Remove r:
                JsonWire.WriteList(w, "keys", r.Keys, encoding);
                break;
            case Put r:
                JsonWire.WritePairs(w, r.Pairs, encoding);
                break;
            case Lock r:
                if (r.Reclaim is { } claim)
                {
                    w.WriteNumber("prefix"u8, claim.Prefix);
                    w.WriteBase64String("leaseToken"u8, claim.Token);
                }

                break;
            case Unlock r:
                w.WriteNumber("prefix"u8, r.Prefix);
                w.WriteBase64String("leaseToken"u8, r.Token);
                break;
            case Subscribe r:
                JsonWire.WriteList(w, "prefixes", r.Prefixes, encoding);
                if (r.SinceRevision is { } since)
                {
                    w.WriteNumber("since"u8, since);
                }

                if (r.IncludeValues)
                {
                    w.WriteBoolean("includeValues"u8, true);
                }

                break;
            case Unsubscribe r:
                w.WriteNumber("subscriptionId"u8, r.SubscriptionId);
                break;
            case Auth r:
                w.WriteString("token"u8, r.Token);
                break;
            case Ping:
                break;
            default:
                throw new ArgumentException($"unknown request {request.GetType().Name}", nameof(request));
        }

        w.WriteEndObject();
        w.Flush();
    }

    private static void CheckWritable(Request request, ValueEncoding encoding)
    {
        if (encoding == ValueEncoding.Base64)
        {
            return;
        }

        IEnumerable<byte[]> items = request switch
        {
            Get r => r.Keys,
            Remove r => r.Keys,
            Subscribe r => r.Prefixes,
            Put r => r.Pairs.SelectMany(p => new[] { p.Key, p.Value }),
            _ => [],
        };
        foreach (var item in items)
        {
            JsonWire.CheckWritable(item, encoding, request.Id);
        }
    }
}
