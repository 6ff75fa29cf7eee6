using MwgActors.Protocol.Binary;

namespace MwgActors.Protocol.Tests;

/// <summary>Every golden frame of shared/protocol/mwdb-g1.md section 4, in both directions.</summary>
public sealed class G1GoldenFrameTests
{
    private const string LongGet = @"\x03;////////9;////////+;A#\x03;////////8;////////+;A#\x02;////////+;////////+;////////+#\x00;////////+;A;A##\x00C";

    private static readonly BinaryServerDecoder ServerDecoder = new(Dialect.G1);
    private static readonly BinaryServerEncoder ServerEncoder = new(Dialect.G1);
    private static readonly BinaryClientDecoder ClientDecoder = new(Dialect.G1);
    private static readonly BinaryClientEncoder ClientEncoder = new(Dialect.G1);

    public static TheoryData<string, string> ClientFrames => new()
    {
        { "06 41", Describe.Of(new Lock(Bytes.Id("A"))) },
        { Convert.ToHexString(Bytes.Escaped(LongGet)), Describe.Of(new Get(Bytes.Id("C"), [
            Bytes.Escaped(@"\x03;////////9;////////+;A"),
            Bytes.Escaped(@"\x03;////////8;////////+;A"),
            Bytes.Escaped(@"\x02;////////+;////////+;////////+"),
            Bytes.Escaped(@"\x00;////////+;A;A"),
        ])) },
        { "01 3b 41 3b 41 3b 45 23 00 51", Describe.Of(new Get(Bytes.Id("Q"), [Bytes.Escaped(@"\x01;A;A;E")])) },
        { "00 3b 41 3b 41 3b 43 23 03 63", Describe.Of(new Remove(Bytes.Id("c"), [Bytes.Escaped(@"\x00;A;A;C")])) },
    };

    [Theory]
    [MemberData(nameof(ClientFrames))]
    public void Server_should_decode_each_golden_client_frame_to_its_request(string hex, string expected) =>
        Assert.Equal(expected, Describe.Of(ServerDecoder.Decode(Bytes.Hex(hex))));

    [Theory]
    [MemberData(nameof(ClientFrames))]
    public void Client_encoder_should_write_each_golden_client_frame(string hex, string _)
    {
        var golden = Bytes.Hex(hex);
        var request = ServerDecoder.Decode(golden);
        var encoded = ClientEncoder.Encode(request);

        // mwDB's own connect-time get ends its keys with '#'; our encoder writes none, which splits the same.
        var expected = golden.Length > 20 ? Bytes.Escaped(LongGet.Replace("##", "#", StringComparison.Ordinal)) : golden;
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(encoded));
        Assert.Equal(Describe.Of(request), Describe.Of(ServerDecoder.Decode(encoded)));
    }

    public static TheoryData<string, ProtocolMessage> ServerFrames => new()
    {
        { "41 23 07 41", new LockResult(Bytes.Id("A"), 0, null) },
        { "23 23 23 23 01 43", new GetResult(Bytes.Id("C"), [null, null, null, null]) },
        { "41 23 01 51", new GetResult(Bytes.Id("Q"), [Bytes.Ascii("A")]) },
        { "01 23 04 63", new RemoveResult(Bytes.Id("c"), true) },
    };

    [Theory]
    [MemberData(nameof(ServerFrames))]
    public void Server_encoder_should_write_each_golden_reply_exactly(string hex, ProtocolMessage reply) =>
        Assert.Equal(Bytes.Hex(hex), ServerEncoder.Encode(reply));

    [Fact]
    public void A_lease_token_should_not_reach_a_G1_client() =>
        Assert.Equal(Bytes.Hex("41 23 07 41"), ServerEncoder.Encode(new LockResult(Bytes.Id("A"), 0, [1, 2, 3])));

    [Fact]
    public void Missing_and_empty_values_should_both_be_empty_segments_for_G1() =>
        Assert.Equal(Bytes.Hex("23 23 23 23 01 43"), ServerEncoder.Encode(new GetResult(Bytes.Id("C"), [[], null, [], null])));

    [Fact]
    public void Client_should_decode_the_golden_prefix_reply() =>
        Assert.Equal(Describe.Of(new LockResult(Bytes.Id("A"), 0, null)), Describe.Of(ClientDecoder.Decode(Bytes.Hex("41 23 07 41"))));

    [Fact]
    public void Client_should_decode_the_golden_empty_get_reply_and_pad_it_to_four_values()
    {
        var reply = (GetResult)ClientDecoder.Decode(Bytes.Hex("23 23 23 23 01 43"));

        // "###" splits into three empty values; the client knows it asked four keys.
        Assert.Equal(3, reply.Values.Count);
        var padded = BinaryClientDecoder.PadValues(reply, 4);
        Assert.Equal(Describe.Of(new GetResult(Bytes.Id("C"), [[], [], [], []])), Describe.Of(padded));
    }

    [Fact]
    public void Client_should_decode_the_golden_single_value_reply() =>
        Assert.Equal(Describe.Of(new GetResult(Bytes.Id("Q"), [Bytes.Ascii("A")])), Describe.Of(ClientDecoder.Decode(Bytes.Hex("41 23 01 51"))));

    [Fact]
    public void Client_should_decode_the_golden_remove_reply_as_true() =>
        Assert.Equal(Describe.Of(new RemoveResult(Bytes.Id("c"), true)), Describe.Of(ClientDecoder.Decode(Bytes.Hex("01 23 04 63"))));

    [Fact]
    public void Type_3_should_be_a_put_reply_from_the_server_and_a_remove_from_a_client()
    {
        var frame = Bytes.Hex("01 23 03 41");
        Assert.IsType<PutResult>(ClientDecoder.Decode(frame));
        Assert.IsType<Remove>(ServerDecoder.Decode(frame));
    }

    [Fact]
    public void Put_should_round_trip_with_the_G1_layout()
    {
        var put = new Put(Bytes.Id("E"), [new KeyValue(Bytes.Ascii("k1"), Bytes.Ascii("v1")), new KeyValue(Bytes.Ascii("k2"), [])]);
        var frame = ClientEncoder.Encode(put);
        Assert.Equal(Bytes.Escaped(@"k1#v1#k2##\x02E"), frame);
        Assert.Equal(Describe.Of(put), Describe.Of(ServerDecoder.Decode(frame)));
        Assert.Equal(Bytes.Hex("01 23 03 45"), ServerEncoder.Encode(new PutResult(Bytes.Id("E"), true, 42)));
    }

    [Fact]
    public void The_type_5_push_should_carry_pairs_and_no_id()
    {
        var push = new ReloadPairs([new KeyValue(Bytes.Ascii("k"), Bytes.Ascii("v"))]);
        var frame = ServerEncoder.Encode(push);
        Assert.Equal(Bytes.Hex("6b 23 76 23 05"), frame);
        Assert.Equal(Describe.Of(push), Describe.Of(ClientDecoder.Decode(frame)));
    }

    [Fact]
    public void A_prefix_request_with_data_should_be_a_bad_frame() =>
        Assert.Equal(ErrorCode.BadFrame, Assert.Throws<ProtocolException>(() => ServerDecoder.Decode(Bytes.Hex("41 23 06 41"))).Code);

    [Fact]
    public void A_G1_server_should_refuse_extension_types()
    {
        var ex = Assert.Throws<ProtocolException>(() => ServerDecoder.Decode(Bytes.Hex("23 14 45")));
        Assert.Equal(ErrorCode.UnknownType, ex.Code);
        Assert.Equal(Bytes.Id("E"), ex.RequestId);
    }

    [Fact]
    public void A_G1_encoder_should_refuse_what_an_original_client_cannot_read()
    {
        Assert.Equal(ErrorCode.NotRepresentable, Assert.Throws<ProtocolException>(() => ServerEncoder.Encode(new Pong(Bytes.Id("E")))).Code);
        var hashValue = new GetResult(Bytes.Id("E"), [Bytes.Ascii("a#b")]);
        var ex = Assert.Throws<ProtocolException>(() => ServerEncoder.Encode(hashValue));
        Assert.Equal(ErrorCode.NotRepresentable, ex.Code);
        Assert.Equal(Bytes.Id("E"), ex.RequestId);
    }
}
