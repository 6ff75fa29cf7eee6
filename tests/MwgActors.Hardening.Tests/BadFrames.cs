using System.Text;
using MwgActors.Protocol;
using MwgActors.Protocol.Binary;
using MwgActors.Protocol.Json;
using MwgActors.Storage.Mwdb;
using Lock = MwgActors.Protocol.Lock;

namespace MwgActors.Hardening.Tests;

/// <summary>One frame a fuzzer sends: its bytes, whether it goes as a text message, and what kind of damage it is.</summary>
internal readonly record struct BadFrame(byte[] Bytes, bool Text, string Kind)
{
    /// <summary>A text message that is not UTF-8: the websocket layer itself refuses it (close 1007).</summary>
    public bool InvalidText => Text && !IsUtf8(Bytes);

    private static bool IsUtf8(byte[] bytes)
    {
        try
        {
            _ = Strict.GetCharCount(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}

/// <summary>
/// Makes frames the server must refuse, for one dialect: random bytes, mutated valid frames (built with the codec's
/// encoders, plus the G1 golden frames), truncated frames, huge declared sizes and counts, and frames of the other
/// family (JSON text on binary dialects, binary frames on JSON). Each candidate is checked with the server's own
/// decoder and limits; one that happens to be valid is thrown away, so every frame returned is bad and the server
/// owes exactly one error for it (or the close). Oversized messages (over the frame limit) are bad by size alone.
/// </summary>
internal sealed class BadFrames
{
    private static readonly string[] Kinds = ["random", "mutated", "truncated", "huge-size", "other-family"];

    private readonly Random _random;
    private readonly Dialect _dialect;
    private readonly ProtocolLimits _limits;
    private readonly Func<byte[], bool> _decodes;
    private readonly BinaryServerDecoder? _binary;
    private readonly byte[][] _own;
    private readonly byte[][] _other;

    public BadFrames(Dialect dialect, ProtocolLimits limits, int seed)
    {
        _random = new Random(seed);
        _dialect = dialect;
        _limits = limits;
        if (dialect == Dialect.Json)
        {
            var json = new JsonServerDecoder(limits);
            _decodes = frame => Decodes(() => json.Decode(frame));
            _own = JsonSeeds();
            _other = [.. BinarySeeds(Dialect.Extended), .. BinarySeeds(Dialect.G1), .. G1Golden()];
        }
        else
        {
            var binary = _binary = new BinaryServerDecoder(dialect, limits);
            _decodes = frame => Decodes(() => binary.Decode(frame));
            _own = dialect == Dialect.G1 ? [.. BinarySeeds(Dialect.G1), .. G1Golden()] : [.. BinarySeeds(Dialect.Extended), .. BinarySeeds(Dialect.G1), .. G1Golden()];
            _other = JsonSeeds();
        }
    }

    /// <summary>Counts of frames made per kind, for the report.</summary>
    public Dictionary<string, int> Made { get; } = Kinds.ToDictionary(k => k, _ => 0);

    /// <summary>
    /// G1: the answer the server owes <paramref name="frame"/> instead of the close, when there is one (a put or remove
    /// over a limit is answered <c>false</c> with its id: an original client has no timeout and must not hang).
    /// </summary>
    public Reply? G1Answer(BadFrame frame)
    {
        try
        {
            _binary!.Decode(frame.Bytes);
            return null;
        }
        catch (ProtocolException ex)
        {
            return G1Requests.RefusalFor(ex);
        }
    }

    /// <summary>A frame larger than the frame limit: the server closes with 1009 before decoding anything.</summary>
    public BadFrame Oversized()
    {
        var bytes = new byte[_limits.MaxFrameBytes + 1 + _random.Next(1024)];
        var text = _dialect == Dialect.Json && _random.Next(2) == 0;
        if (text)
        {
            // Valid UTF-8, so the size is what the server refuses: the websocket layer fails invalid UTF-8 text
            // (1007) as it reads, which could come before the size check.
            for (var i = 0; i < bytes.Length; i++)
            {
                bytes[i] = (byte)('a' + _random.Next(26));
            }
        }
        else
        {
            _random.NextBytes(bytes);
        }

        return new BadFrame(bytes, text, "oversized");
    }

    /// <summary>The next bad frame (never one the server would accept as a request).</summary>
    public BadFrame Next()
    {
        while (true)
        {
            var kind = Kinds[_random.Next(Kinds.Length)];
            var bytes = kind switch
            {
                "random" => RandomBytes(),
                "mutated" => Mutate(Pick(_own), 1 + _random.Next(3)),
                "truncated" => Truncate(Pick(_own)),
                "huge-size" => HugeSize(),
                _ => _random.Next(3) == 0 ? Mutate(Pick(_other), 1) : Pick(_other),
            };

            // Binary dialects get binary messages, JSON text, except the other family, which comes in its own type.
            var text = (_dialect == Dialect.Json) != (kind == "other-family");
            if (bytes.Length > _limits.MaxFrameBytes || _decodes(bytes))
            {
                continue;
            }

            // A text message that is not UTF-8 ends the connection in the websocket layer, before any decoder: keep a
            // few, so most bursts stay long enough to test the decoders and the one-error-per-frame accounting.
            var frame = new BadFrame(bytes, text, kind);
            if (frame.InvalidText && _random.Next(10) != 0)
            {
                continue;
            }

            Made[kind]++;
            return frame;
        }
    }

    private static bool Decodes(Func<ProtocolMessage> decode)
    {
        try
        {
            decode();
            return true;
        }
        catch (ProtocolException)
        {
            return false;
        }
    }

    private byte[] Pick(byte[][] seeds) => seeds[_random.Next(seeds.Length)];

    private byte[] RandomBytes()
    {
        var bytes = new byte[_random.Next(64)];
        _random.NextBytes(bytes);
        // Bias towards what the parsers look for: '#', small type bytes, Base64 id characters, JSON punctuation.
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = _random.Next(4) switch
            {
                0 => (byte)"#{}\":,[]A"[_random.Next(9)],
                1 => (byte)_random.Next(0x3C),
                _ => bytes[i],
            };
        }

        return bytes;
    }

    private byte[] Mutate(byte[] seed, int times)
    {
        var bytes = new List<byte>(seed);
        for (var t = 0; t < times; t++)
        {
            var at = bytes.Count == 0 ? 0 : _random.Next(bytes.Count);
            switch (_random.Next(4))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] = (byte)_random.Next(256);
                    break;
                case 1 when bytes.Count > 0:
                    bytes.RemoveAt(at);
                    break;
                case 2:
                    bytes.Insert(at, (byte)_random.Next(256));
                    break;
                default:
                    bytes.Insert(at, (byte)'#');
                    break;
            }
        }

        return [.. bytes];
    }

    private byte[] Truncate(byte[] seed) => seed.Length == 0 ? seed : seed[.._random.Next(seed.Length)];

    /// <summary>A frame that declares far more than it holds: counts and lengths near 2^31, 2^63, or over the limits.</summary>
    private byte[] HugeSize()
    {
        ulong[] sizes = [(ulong)_limits.MaxKeysPerBatch + 1, (ulong)_limits.MaxValueBytes + 1, int.MaxValue, uint.MaxValue, long.MaxValue, ulong.MaxValue];
        var size = sizes[_random.Next(sizes.Length)];
        if (_dialect == Dialect.Json)
        {
            // Numbers beyond any range, and arrays over the batch limit (small on the wire).
            return _random.Next(3) switch
            {
                0 => Encoding.UTF8.GetBytes($$"""{"requestId":"h","action":"unsubscribe","subscriptionId":{{size}}{{new string('9', _random.Next(400))}}}"""),
                1 => Encoding.UTF8.GetBytes($$"""{"requestId":"h","action":"subscribe","prefixes":[""],"since":-{{size}}}"""),
                _ => Encoding.UTF8.GetBytes($$"""{"requestId":"h","action":"get","keys":[{{string.Join(',', Enumerable.Repeat("\"k\"", _limits.MaxKeysPerBatch + 1))}}]}"""),
            };
        }

        if (_dialect == Dialect.G1)
        {
            // G1 has no sizes: the batch itself is over the key limit.
            return Encoding.ASCII.GetBytes(new string('#', _limits.MaxKeysPerBatch + 1 + _random.Next(100)) + "\u0000A");
        }

        // Extended: a count or a length prefix that promises more than the frame holds.
        var payload = new List<byte>();
        byte type = _random.Next(4) switch { 0 => FrameType.Get, 1 => FrameType.Put, 2 => FrameType.Remove, _ => FrameType.Subscribe };
        if (type == FrameType.Subscribe)
        {
            payload.Add(1);
            payload.Add(0);
        }

        if (_random.Next(2) == 0)
        {
            payload.AddRange(VarUInt(size));
        }
        else
        {
            payload.AddRange(VarUInt(1));
            payload.AddRange(VarUInt(size));
            payload.AddRange("abc"u8.ToArray());
        }

        payload.Add(FrameType.Separator);
        payload.Add(type);
        payload.AddRange(MwdbBase64.EncodeInt(_random.Next(1000)));
        return [.. payload];
    }

    private static byte[] VarUInt(ulong value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        bytes.Add((byte)value);
        return [.. bytes];
    }

    private static Request[] Requests(Func<int, RequestId> id)
    {
        byte[] key = "fz/a"u8.ToArray(), value = "v"u8.ToArray(), token = "dG9r"u8.ToArray();
        return
        [
            new Get(id(1), [key, "fz/b"u8.ToArray()]),
            new Put(id(2), [new KeyValue(key, value), new KeyValue("fz/c"u8.ToArray(), "w"u8.ToArray())]),
            new Remove(id(3), [key]),
            new Lock(id(4)),
            new Lock(id(5), new LeaseClaim(7, token)),
            new Unlock(id(6), 7, token),
            new Subscribe(id(7), ["fz/"u8.ToArray()], 12, IncludeValues: true),
            new Unsubscribe(id(8), 3),
            new Ping(id(9)),
        ];
    }

    private static byte[][] BinarySeeds(Dialect dialect)
    {
        var encoder = new BinaryClientEncoder(dialect);
        var frames = new List<byte[]>();
        foreach (var request in Requests(n => new RequestId(MwdbBase64.EncodeInt(n * 37))))
        {
            try
            {
                frames.Add(encoder.Encode(request));
            }
            catch (ProtocolException)
            {
                // G1 has no frame for it.
            }
        }

        return [.. frames];
    }

    private static byte[][] JsonSeeds()
    {
        using var encoder = new JsonClientEncoder();
        return
        [
            .. Requests(n => RequestId.FromString("r" + n)).Select(encoder.Encode),
            .. Requests(n => RequestId.FromString("b" + n, ValueEncoding.Base64)).Select(encoder.Encode),
            "{\"p\":1}"u8.ToArray(),
        ];
    }

    /// <summary>The client frames of mwdb-g1.md section 4, captured from the original implementation.</summary>
    private static byte[][] G1Golden() =>
    [
        [0x06, 0x41],
        Encoding.Latin1.GetBytes("\u0003;////////9;////////+;A#\u0003;////////8;////////+;A#\u0002;////////+;////////+;////////+#\u0000;////////+;A;A##\u0000C"),
        [0x01, 0x3b, 0x41, 0x3b, 0x41, 0x3b, 0x45, 0x23, 0x00, 0x51],
        [0x00, 0x3b, 0x41, 0x3b, 0x41, 0x3b, 0x43, 0x23, 0x03, 0x63],
    ];
}
