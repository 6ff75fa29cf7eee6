using MwgActors.Protocol.Binary;

namespace MwgActors.Protocol.Tests;

/// <summary>
/// A G1 put or remove over a limit is refused with <c>false</c> and its id (the connection stays); every other bad
/// frame has no answer. And which ids an original client reads as 0, the id it also reads from a type 5 push.
/// </summary>
public sealed class G1RequestsTests
{
    private static readonly ProtocolLimits Limits = new(MaxFrameBytes: 256, MaxKeysPerBatch: 2, MaxKeyBytes: 4, MaxValueBytes: 8, MaxSubscriptionsPerConnection: 1);

    private static ProtocolException Refused(string frame) =>
        Assert.Throws<ProtocolException>(() => new BinaryServerDecoder(Dialect.G1, Limits).Decode(Bytes.Escaped(frame)));

    [Theory]
    [InlineData(@"a#1#b#2#c#3#\x02Q", ErrorCode.TooManyKeys)]
    [InlineData(@"abcde#1#\x02Q", ErrorCode.KeyTooLarge)]
    [InlineData(@"k#123456789#\x02Q", ErrorCode.ValueTooLarge)]
    public void A_put_over_a_limit_should_be_answered_false_with_its_id(string frame, ErrorCode code)
    {
        var refused = Refused(frame);

        Assert.Equal((code, Bytes.Id("Q"), (byte?)FrameType.G1Put), (refused.Code, refused.RequestId, refused.FrameType));
        Assert.Equal(new PutResult(Bytes.Id("Q"), false), G1Requests.RefusalFor(refused));
    }

    [Theory]
    [InlineData(@"a#b#c#\x03Q", ErrorCode.TooManyKeys)]
    [InlineData(@"abcde#\x03Q", ErrorCode.KeyTooLarge)]
    public void A_remove_over_a_limit_should_be_answered_false_with_its_id(string frame, ErrorCode code)
    {
        var refused = Refused(frame);

        Assert.Equal(code, refused.Code);
        Assert.Equal(new RemoveResult(Bytes.Id("Q"), false), G1Requests.RefusalFor(refused));
    }

    [Fact]
    public void The_false_answer_should_encode_as_the_G1_put_reply_with_the_requests_id_bytes()
    {
        var refusal = G1Requests.RefusalFor(Refused(@"a#1#b#2#c#3#\x02Q"))!;

        Assert.Equal(Bytes.Escaped(@"\x00#\x03Q"), new BinaryServerEncoder(Dialect.G1).Encode(refusal));
    }

    [Theory]
    [InlineData(@"a#b#c#\x00Q")] // a get over a limit: G1 has no way to refuse a read but the close
    [InlineData(@"a#1#b#\x02Q")] // malformed: a key without a value
    [InlineData(@"#\x7FQ")] // unknown type
    public void Other_bad_frames_should_have_no_answer(string frame) =>
        Assert.Null(G1Requests.RefusalFor(Refused(frame)));

    [Fact]
    public void A_frame_too_large_to_read_should_have_no_answer()
    {
        var refused = Refused(new string('a', 300) + @"#\x02Q");

        Assert.Equal(ErrorCode.FrameTooLarge, refused.Code);
        Assert.Null(G1Requests.RefusalFor(refused));
    }

    [Theory]
    [InlineData("A", true)]
    [InlineData("B", true)] // minus zero
    [InlineData("AA", true)]
    [InlineData("AAAB", true)]
    [InlineData("C", false)] // 1
    [InlineData("D", false)] // -1
    [InlineData("BA", false)] // 32
    [InlineData("!", false)] // not Base64: the decoder refuses the frame
    public void Ids_that_an_original_client_reads_as_0_should_be_recognised(string id, bool zero)
    {
        Assert.Equal(zero, G1Requests.IdDecodesToZero(Bytes.Id(id)));
        Assert.Equal(zero, G1Requests.FrameIdDecodesToZero(Bytes.Escaped(@"k#\x00" + id)));
        Assert.Equal(zero, G1Requests.FrameIdDecodesToZero(Bytes.Escaped(@"\x06" + id)));
    }

    [Fact]
    public void A_frame_without_an_id_should_not_read_as_0()
    {
        Assert.False(G1Requests.IdDecodesToZero(RequestId.None));
        Assert.False(G1Requests.FrameIdDecodesToZero(Bytes.Escaped(@"k#\x00")));
        Assert.False(G1Requests.FrameIdDecodesToZero([]));
    }
}
