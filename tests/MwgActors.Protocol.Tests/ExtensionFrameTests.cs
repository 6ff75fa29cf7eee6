using MwgActors.Protocol.Binary;

namespace MwgActors.Protocol.Tests;

/// <summary>The byte-level examples of docs/protocol.md part 2, byte for byte, both ways.</summary>
public sealed class ExtensionFrameTests
{
    private static readonly RequestId E = Bytes.Id("E");
    private static readonly byte[] Tok = Bytes.Ascii("tok");

    public static TheoryData<string, ProtocolMessage> ClientFrames => new()
    {
        { "23 10 45", new Lock(E) },
        { "05 03 74 6f 6b 23 10 45", new Lock(E, new LeaseClaim(5, Tok)) },
        { "05 03 74 6f 6b 23 11 45", new Unlock(E, 5, Tok) },
        { "01 2a 02 02 61 3a 00 23 12 45", new Subscribe(E, [Bytes.Ascii("a:"), []], 41, true) },
        { "00 00 01 00 23 12 45", new Subscribe(E, [[]], null, false) },
        { "07 23 13 45", new Unsubscribe(E, 7) },
        { "23 14 45", new Ping(E) },
        { "23 15 45", new Pong(E) },
        { "01 03 61 23 62 23 16 45", new Get(E, [Bytes.Ascii("a#b")]) },
        { "01 01 6b 2a 23 16 45", new Get(E, [Bytes.Ascii("k")], MinRevision: 42) },
        { "01 01 6b 03 76 23 31 23 17 45", new Put(E, [new KeyValue(Bytes.Ascii("k"), Bytes.Ascii("v#1"))]) },
        { "01 01 6b 23 18 45", new Remove(E, [Bytes.Ascii("k")]) },
        { "03 74 6f 6b 23 19 45", new Auth(E, "tok") },
    };

    public static TheoryData<string, ProtocolMessage> ServerFrames => new()
    {
        { "01 02 73 31 80 80 04 80 02 80 01 80 20 10 20 80 10 23 30", new Hello(1, "s1", new ProtocolLimits(65536, 256, 128, 4096, 16, 32, 2048)) },
        { "03 02 78 00 01 23 31 45", new GetResult(E, [Bytes.Ascii("x"), null, []]) },
        { "01 2b 23 32 45", new PutResult(E, true, 42) },
        { "00 00 23 32 45", new PutResult(E, false) },
        { "01 2c 23 33 45", new RemoveResult(E, true, 43) },
        { "05 03 74 6f 6b 23 34 45", new LockResult(E, 5, Tok) },
        { "23 35 45", new UnlockResult(E) },
        { "07 2a 23 36 45", new Subscribed(E, 7, 42) },
        { "23 37 45", new Unsubscribed(E) },
        { "23 15 45", new Pong(E) },
        { "09 08 6e 6f 74 20 68 65 6c 64 23 38 45", new Error(E, ErrorCode.NotLockHolder, "not held") },
        { "01 03 62 61 64 23 38", new Error(RequestId.None, ErrorCode.BadFrame, "bad") },
        { "07 2b 03 01 03 61 3a 31 01 78 02 03 61 3a 32 00 03 61 3a 33 23 39", new ChangeNotification(7, 43, [
            new Change(Bytes.Ascii("a:1"), false, Bytes.Ascii("x")),
            new Change(Bytes.Ascii("a:2"), true, null),
            new Change(Bytes.Ascii("a:3"), false, null),
        ]) },
        { "08 01 03 61 3a 31 01 02 62 3a 23 3a", new ReloadKeys(7, [Bytes.Ascii("a:1")], [Bytes.Ascii("b:")]) },
        { "00 00 01 00 23 3a", new ReloadKeys(null, [], [[]]) },
        { "07 23 3b", new ReloadAll(7) },
        { "23 3c", new TokenExpired() },
        { "03 61 64 61 e9 07 23 3d 45", new AuthResult(E, "ada", 1000) },
        { "03 61 64 61 00 23 3d 45", new AuthResult(E, "ada", null) },
        { "6b 23 76 23 05", new ReloadPairs([new KeyValue(Bytes.Ascii("k"), Bytes.Ascii("v"))]) },
    };

    [Theory]
    [MemberData(nameof(ClientFrames))]
    public void Client_frame_should_encode_to_the_documented_bytes(string hex, ProtocolMessage message) =>
        Assert.Equal(Convert.ToHexString(Bytes.Hex(hex)), Convert.ToHexString(new BinaryClientEncoder(Dialect.Extended).Encode(message)));

    [Theory]
    [MemberData(nameof(ClientFrames))]
    public void Client_frame_should_decode_from_the_documented_bytes(string hex, ProtocolMessage message) =>
        Assert.Equal(Describe.Of(message), Describe.Of(new BinaryServerDecoder(Dialect.Extended).Decode(Bytes.Hex(hex))));

    [Theory]
    [MemberData(nameof(ServerFrames))]
    public void Server_frame_should_encode_to_the_documented_bytes(string hex, ProtocolMessage message) =>
        Assert.Equal(Convert.ToHexString(Bytes.Hex(hex)), Convert.ToHexString(new BinaryServerEncoder(Dialect.Extended).Encode(message)));

    [Theory]
    [MemberData(nameof(ServerFrames))]
    public void Server_frame_should_decode_from_the_documented_bytes(string hex, ProtocolMessage message) =>
        Assert.Equal(Describe.Of(message), Describe.Of(new BinaryClientDecoder(Dialect.Extended).Decode(Bytes.Hex(hex))));

    [Fact]
    public void A_hello_of_an_older_server_without_the_prefix_limits_should_decode_with_their_defaults() =>
        Assert.Equal(
            Describe.Of(new Hello(1, "s1", new ProtocolLimits(65536, 256, 128, 4096, 16))),
            Describe.Of(new BinaryClientDecoder(Dialect.Extended).Decode(Bytes.Hex("01 02 73 31 80 80 04 80 02 80 01 80 20 10 23 30"))));

    [Fact]
    public void A_hello_with_limits_a_later_server_appends_should_still_decode() =>
        Assert.Equal(
            Describe.Of(new Hello(1, "s1", new ProtocolLimits(65536, 256, 128, 4096, 16, 32, 2048))),
            Describe.Of(new BinaryClientDecoder(Dialect.Extended).Decode(Bytes.Hex("01 02 73 31 80 80 04 80 02 80 01 80 20 10 20 80 10 07 09 23 30"))));

    [Fact]
    public void A_subscribe_with_more_prefixes_than_the_limit_should_be_refused_before_reading_them()
    {
        var limits = new ProtocolLimits(MaxPrefixesPerSubscription: 2);
        var frame = new BinaryClientEncoder(Dialect.Extended).Encode(new Subscribe(E, [[1], [2], [3]], null, false));
        var ex = Assert.Throws<ProtocolException>(() => new BinaryServerDecoder(Dialect.Extended, limits).Decode(frame));
        Assert.Equal((ErrorCode.TooManyPrefixes, E), (ex.Code, ex.RequestId));
    }

    [Fact]
    public void A_subscribe_whose_prefixes_exceed_the_connection_bytes_should_be_refused()
    {
        var limits = new ProtocolLimits(MaxPrefixBytesPerConnection: 5);
        var encoder = new BinaryClientEncoder(Dialect.Extended);
        var decoder = new BinaryServerDecoder(Dialect.Extended, limits);
        Assert.IsType<Subscribe>(decoder.Decode(encoder.Encode(new Subscribe(E, [Bytes.Ascii("ab"), Bytes.Ascii("cde")], null, false))));
        var ex = Assert.Throws<ProtocolException>(() => decoder.Decode(encoder.Encode(new Subscribe(E, [Bytes.Ascii("ab"), Bytes.Ascii("cdef")], null, false))));
        Assert.Equal(ErrorCode.TooManyPrefixes, ex.Code);
    }

    [Fact]
    public void G1_should_neither_receive_nor_send_the_auth_frames()
    {
        var decode = Assert.Throws<ProtocolException>(() => new BinaryServerDecoder(Dialect.G1).Decode(Bytes.Hex("03 74 6f 6b 23 19 45")));
        Assert.Equal(ErrorCode.UnknownType, decode.Code);
        var encoder = new BinaryServerEncoder(Dialect.G1);
        Assert.Equal(ErrorCode.NotRepresentable, Assert.Throws<ProtocolException>(() => encoder.Encode(new TokenExpired())).Code);
        Assert.Equal(ErrorCode.NotRepresentable, Assert.Throws<ProtocolException>(() => encoder.Encode(new AuthResult(E, "ada", null))).Code);
    }

    [Fact]
    public void An_auth_token_over_the_limit_should_be_refused_as_a_bad_frame()
    {
        var frame = new BinaryClientEncoder(Dialect.Extended).Encode(new Auth(E, new string('t', ProtocolLimits.MaxAuthTokenBytes + 1)));
        Assert.Equal(ErrorCode.BadFrame, Assert.Throws<ProtocolException>(() => new BinaryServerDecoder(Dialect.Extended).Decode(frame)).Code);
    }

    [Fact]
    public void No_extension_type_should_be_a_G1_type_or_the_separator()
    {
        var types = typeof(FrameType).GetFields()
            .Where(f => f.Name != nameof(FrameType.Separator) && !f.Name.StartsWith("G1", StringComparison.Ordinal))
            .Select(f => (byte)f.GetValue(null)!)
            .ToList();
        Assert.All(types, t => Assert.True(t > 7 && t != 0x23));
        Assert.Equal(types.Count, types.Distinct().Count());
    }

    [Fact]
    public void An_extended_server_should_still_answer_G1_requests()
    {
        var decoder = new BinaryServerDecoder(Dialect.Extended);
        Assert.IsType<Lock>(decoder.Decode(Bytes.Hex("06 41")));
        Assert.IsType<Get>(decoder.Decode(Bytes.Hex("01 3b 41 3b 41 3b 45 23 00 51")));
    }

    [Fact]
    public void Trailing_bytes_after_a_payload_should_be_a_bad_frame_that_names_the_request()
    {
        var ex = Assert.Throws<ProtocolException>(() => new BinaryServerDecoder(Dialect.Extended).Decode(Bytes.Hex("07 00 23 13 45")));
        Assert.Equal(ErrorCode.BadFrame, ex.Code);
        Assert.Equal(E, ex.RequestId);
    }

    [Fact]
    public void An_overlong_number_should_be_a_bad_frame() =>
        Assert.Equal(ErrorCode.BadFrame, Assert.Throws<ProtocolException>(() => new BinaryServerDecoder(Dialect.Extended).Decode(Bytes.Hex("87 00 23 13 45"))).Code);

    [Fact]
    public void A_push_with_an_id_should_be_a_bad_frame() =>
        Assert.Equal(ErrorCode.BadFrame, Assert.Throws<ProtocolException>(() => new BinaryClientDecoder(Dialect.Extended).Decode(Bytes.Hex("07 23 3b 45"))).Code);
}
