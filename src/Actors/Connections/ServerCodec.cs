using MwgActors.Actors.Storage;
using MwgActors.Protocol;
using MwgActors.Protocol.Binary;
using MwgActors.Protocol.Json;

namespace MwgActors.Actors.Connections;

/// <summary>
/// The server side of one connection's dialect: decodes what the client sends, encodes what the server sends.
/// One instance per connection (the JSON encoder remembers each subscription's value encoding).
/// </summary>
public sealed class ServerCodec : IDisposable
{
    private readonly BinaryServerDecoder? _binaryDecoder;
    private readonly BinaryServerEncoder? _binaryEncoder;
    private readonly JsonServerDecoder? _jsonDecoder;
    private readonly JsonServerEncoder? _jsonEncoder;

    public ServerCodec(Dialect dialect, ProtocolLimits limits)
    {
        Dialect = dialect;
        Limits = limits;
        if (dialect == Dialect.Json)
        {
            _jsonDecoder = new JsonServerDecoder(limits);
            _jsonEncoder = new JsonServerEncoder();
        }
        else
        {
            _binaryDecoder = new BinaryServerDecoder(dialect, limits);
            _binaryEncoder = new BinaryServerEncoder(dialect);
        }
    }

    public Dialect Dialect { get; }

    public ProtocolLimits Limits { get; }

    /// <summary>Text frames for JSON, binary frames otherwise.</summary>
    public bool IsText => Dialect == Dialect.Json;

    /// <summary>Whether the client understands extension frames (hello, errors, notifications).</summary>
    public bool IsExtended => Dialect != Dialect.G1;

    /// <summary>Throws nothing but <see cref="ProtocolException"/>.</summary>
    public ProtocolMessage Decode(ReadOnlySpan<byte> frame) =>
        _jsonDecoder is not null ? _jsonDecoder.Decode(frame) : _binaryDecoder!.Decode(frame);

    /// <summary>The frame for <paramref name="message"/>; <see cref="ProtocolException"/> with
    /// <see cref="ErrorCode.NotRepresentable"/> when the dialect cannot carry it.</summary>
    public byte[] Encode(ProtocolMessage message) =>
        _jsonEncoder is not null ? _jsonEncoder.Encode(message) : _binaryEncoder!.Encode(message);

    /// <summary>
    /// What the reply to <paramref name="get"/> may cost so that its frame stays within <paramref name="maxFrameBytes"/>,
    /// as this dialect's encoder writes it: the frame's own part (header, request id, JSON envelope) is set aside, each
    /// position costs its length prefix or separator, and JSON Base64 values cost 4 bytes for 3. JSON text values are
    /// counted at their length (escapes can only add): the encoded frame is checked once more before it is queued.
    /// </summary>
    public ReplyBudget ReplyBudget(Get get, long maxFrameBytes)
    {
        ArgumentNullException.ThrowIfNull(get);

        // A JSON envelope is under 128 bytes; the request id appears twice and may be escaped (6 bytes a byte).
        var frame = 128L + (12L * get.Id.Bytes.Length);
        var room = Math.Max(0, maxFrameBytes - frame);
        return Dialect switch
        {
            // Extended: a varint length of at most 5 bytes (values are under 2^32), then the value.
            Dialect.Extended => new ReplyBudget(room, BytesPerPosition: 5),

            // G1: a '#' between values.
            Dialect.G1 => new ReplyBudget(room, BytesPerPosition: 1),

            // JSON: "null," or two quotes and a comma.
            _ => new ReplyBudget(room, BytesPerPosition: 5, Base64Values: get.Id.Encoding == ValueEncoding.Base64),
        };
    }

    /// <summary>
    /// Whether the frame of <paramref name="result"/> would pass <paramref name="maxFrameBytes"/> once its JSON text values
    /// are escaped, counted without building it (a value of control bytes takes six times its size). The other encodings
    /// were counted exactly while the values were read (<see cref="ReplyBudget"/>).
    /// </summary>
    public bool EscapesPass(GetResult result, long maxFrameBytes)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (Dialect != Dialect.Json || result.Id.Encoding == ValueEncoding.Base64)
        {
            return false;
        }

        var length = 128L + (12L * result.Id.Bytes.Length);

        // No byte takes more than six once escaped: a reply that fits even so (every small get) is not scanned.
        if (length + result.Values.Sum(v => 5L + (6L * (v?.Length ?? 0))) <= maxFrameBytes)
        {
            return false;
        }

        foreach (var value in result.Values)
        {
            length += 5 + (value is null ? 0 : JsonEscaping.EncodedLength(value));
            if (length > maxFrameBytes)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Lets the JSON encoder drop what it remembered of a subscription.</summary>
    public void Forget(long subscriptionId) => _jsonEncoder?.Forget(subscriptionId);

    public void Dispose() => _jsonEncoder?.Dispose();
}
