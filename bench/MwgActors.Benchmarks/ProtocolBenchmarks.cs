using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using MwgActors.Protocol;
using MwgActors.Protocol.Binary;
using MwgActors.Protocol.Json;

namespace MwgActors.Benchmarks;

/// <summary>
/// Decode and encode of a 16-key get, a 16-pair put and a 16-change notification, in the binary dialect
/// (G1 and extended) and JSON. Encoders write into a reused buffer, as a connection does; decoders allocate
/// only the message they return.
/// </summary>
[MemoryDiagnoser]
public class ProtocolBenchmarks
{
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private readonly BinaryServerDecoder _g1Decoder = new(Dialect.G1);
    private readonly BinaryServerDecoder _extDecoder = new(Dialect.Extended);
    private readonly BinaryServerEncoder _g1Encoder = new(Dialect.G1);
    private readonly BinaryClientEncoder _g1ClientEncoder = new(Dialect.G1);
    private readonly BinaryServerEncoder _extEncoder = new(Dialect.Extended);
    private readonly BinaryClientDecoder _extClientDecoder = new(Dialect.Extended);
    private readonly JsonServerDecoder _jsonDecoder = new();
    private readonly JsonServerEncoder _jsonEncoder = new();
    private readonly JsonClientDecoder _jsonClientDecoder = new();

    private byte[] _g1Get = [];
    private byte[] _g1Put = [];
    private byte[] _extNotify = [];
    private byte[] _jsonGet = [];
    private byte[] _jsonPut = [];
    private byte[] _jsonNotify = [];
    private GetResult _getResult = null!;
    private GetResult _jsonGetResult = null!;
    private Put _put = null!;
    private Get _get = null!;
    private ChangeNotification _notification = null!;

    [GlobalSetup]
    public void Setup()
    {
        var keys = Enumerable.Range(0, 16).Select(i => Encoding.ASCII.GetBytes($"\u0001;A;A;{(char)('A' + i)}node")).ToArray();
        var values = Enumerable.Range(0, 16).Select(i => Encoding.ASCII.GetBytes($"value-{i};some|mwdb,payload:{i}")).ToArray();
        var id = new RequestId("Q"u8.ToArray());
        var jsonId = RequestId.FromString("r1");
        _get = new Get(id, keys);
        _g1Get = _g1ClientEncoder.Encode(_get);
        _put = new Put(id, keys.Zip(values, (k, v) => new KeyValue(k, v)).ToArray());
        _g1Put = new BinaryClientEncoder(Dialect.G1).Encode(_put);
        _getResult = new GetResult(id, values);
        _jsonGetResult = new GetResult(jsonId, values);
        _notification = new ChangeNotification(7, 43, keys.Zip(values, (k, v) => new Change(k, false, v)).ToArray());
        _extNotify = _extEncoder.Encode(_notification);
        using var jsonClient = new JsonClientEncoder();
        var utf8Keys = keys.Select(k => Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(k).Replace('\u0001', 'n'))).ToArray();
        _jsonGet = jsonClient.Encode(new Get(jsonId, utf8Keys));
        _jsonPut = jsonClient.Encode(new Put(jsonId, utf8Keys.Zip(values, (k, v) => new KeyValue(k, v)).ToArray()));
        _jsonNotify = _jsonEncoder.Encode(_notification with { Changes = utf8Keys.Zip(values, (k, v) => new Change(k, false, v)).ToArray() });
    }

    [GlobalCleanup]
    public void Cleanup() => _jsonEncoder.Dispose();

    [Benchmark]
    public object G1DecodeGet16() => _g1Decoder.Decode(_g1Get);

    [Benchmark]
    public int G1EncodeGet16Reply()
    {
        _buffer.ResetWrittenCount();
        _g1Encoder.Encode(_getResult, _buffer);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public int G1EncodeGet16Request()
    {
        _buffer.ResetWrittenCount();
        _g1ClientEncoder.Encode(_get, _buffer);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public int G1EncodePut16Request()
    {
        _buffer.ResetWrittenCount();
        _g1ClientEncoder.Encode(_put, _buffer);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public object G1DecodePut16() => _g1Decoder.Decode(_g1Put);

    [Benchmark]
    public int ExtEncodePut16Reply()
    {
        _buffer.ResetWrittenCount();
        _extEncoder.Encode(new PutResult(_put.Id, true, 42), _buffer);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public int ExtEncodeNotification16()
    {
        _buffer.ResetWrittenCount();
        _extEncoder.Encode(_notification, _buffer);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public object ExtDecodeNotification16() => _extClientDecoder.Decode(_extNotify);

    [Benchmark]
    public object ExtDecodeGet16() => _extDecoder.Decode(_g1Get);

    [Benchmark]
    public object JsonDecodeGet16() => _jsonDecoder.Decode(_jsonGet);

    [Benchmark]
    public object JsonDecodePut16() => _jsonDecoder.Decode(_jsonPut);

    [Benchmark]
    public int JsonEncodeGet16Reply()
    {
        _buffer.ResetWrittenCount();
        _jsonEncoder.Encode(_jsonGetResult, _buffer);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public int JsonEncodeNotification16()
    {
        _buffer.ResetWrittenCount();
        _jsonEncoder.Encode(_notification, _buffer);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public object JsonDecodeNotification16() => _jsonClientDecoder.Decode(_jsonNotify);
}
