using MwgActors.Protocol.Binary;
using MwgActors.Protocol.Json;
using MwgActors.Storage.Mwdb;

namespace MwgActors.Protocol;

/// <summary>
/// The client side of one connection's dialect: encodes requests, decodes what the server sends, and numbers
/// request ids the way the dialect writes them. One instance per connection.
/// </summary>
public sealed class ClientCodec : IDisposable
{
    private readonly BinaryClientEncoder? _binaryEncoder;
    private readonly BinaryClientDecoder? _binaryDecoder;
    private readonly JsonClientEncoder? _jsonEncoder;
    private readonly JsonClientDecoder? _jsonDecoder;

    public ClientCodec(Dialect dialect, ProtocolLimits? limits = null)
    {
        Dialect = dialect;
        if (dialect == Dialect.Json)
        {
            _jsonEncoder = new JsonClientEncoder();
            _jsonDecoder = new JsonClientDecoder(limits);
        }
        else
        {
            _binaryEncoder = new BinaryClientEncoder(dialect);
            _binaryDecoder = new BinaryClientDecoder(dialect, limits);
        }
    }

    public Dialect Dialect { get; }

    /// <summary>Text frames for JSON, binary frames otherwise.</summary>
    public bool IsText => Dialect == Dialect.Json;

    public byte[] Encode(Request request) =>
        _jsonEncoder is not null ? _jsonEncoder.Encode(request) : _binaryEncoder!.Encode(request);

    /// <summary>Throws nothing but <see cref="ProtocolException"/>.</summary>
    public ProtocolMessage Decode(ReadOnlySpan<byte> frame) =>
        _jsonDecoder is not null ? _jsonDecoder.Decode(frame) : _binaryDecoder!.Decode(frame);

    /// <summary>
    /// Request id number <paramref name="n"/>: "r" + n in JSON (whose room also says how values travel,
    /// <paramref name="encoding"/>), mwDB base64 otherwise.
    /// </summary>
    public RequestId NewRequestId(int n, ValueEncoding encoding = ValueEncoding.Utf8) =>
        Dialect == Dialect.Json ? RequestId.FromString("r" + n, encoding) : new RequestId(MwdbBase64.EncodeInt(n));

    public void Dispose() => _jsonEncoder?.Dispose();
}
