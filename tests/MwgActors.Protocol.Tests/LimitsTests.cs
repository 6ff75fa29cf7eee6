using System.Text;
using MwgActors.Protocol.Binary;
using MwgActors.Protocol.Json;

namespace MwgActors.Protocol.Tests;

/// <summary>Every limit yields its own typed error, before the decoder allocates for the message.</summary>
public sealed class LimitsTests
{
    private static readonly ProtocolLimits Limits = new(MaxFrameBytes: 256, MaxKeysPerBatch: 2, MaxKeyBytes: 4, MaxValueBytes: 8, MaxSubscriptionsPerConnection: 1);

    private static ErrorCode G1(string text) =>
        Assert.Throws<ProtocolException>(() => new BinaryServerDecoder(Dialect.G1, Limits).Decode(Bytes.Escaped(text))).Code;

    private static ErrorCode Extended(string hex) =>
        Assert.Throws<ProtocolException>(() => new BinaryServerDecoder(Dialect.Extended, Limits).Decode(Bytes.Hex(hex))).Code;

    private static ErrorCode Json(string json) =>
        Assert.Throws<ProtocolException>(() => new JsonServerDecoder(Limits).Decode(Encoding.UTF8.GetBytes(json))).Code;

    [Fact]
    public void A_frame_over_the_size_limit_should_be_FrameTooLarge()
    {
        Assert.Equal(ErrorCode.FrameTooLarge, G1(new string('a', 300) + @"#\x00A"));
        Assert.Equal(ErrorCode.FrameTooLarge, Json("{\"p\":1" + new string(' ', 300) + "}"));
    }

    [Fact]
    public void Too_many_keys_should_be_TooManyKeys()
    {
        Assert.Equal(ErrorCode.TooManyKeys, G1(@"a#b#c#\x00A"));
        Assert.Equal(ErrorCode.TooManyKeys, Extended("03 01 61 01 62 01 63 23 16 41"));
        Assert.Equal(ErrorCode.TooManyKeys, Json("""{"requestId":"r","action":"get","keys":["a","b","c"]}"""));
    }

    [Fact]
    public void Too_many_prefixes_or_prefix_bytes_in_a_subscribe_should_be_TooManyPrefixes()
    {
        var limits = Limits with { MaxKeysPerBatch = 100, MaxPrefixesPerSubscription = 2, MaxPrefixBytesPerConnection = 6 };
        ErrorCode Ext(string hex) => Assert.Throws<ProtocolException>(() => new BinaryServerDecoder(Dialect.Extended, limits).Decode(Bytes.Hex(hex))).Code;
        ErrorCode Js(string json) => Assert.Throws<ProtocolException>(() => new JsonServerDecoder(limits).Decode(Encoding.UTF8.GetBytes(json))).Code;

        Assert.Equal(ErrorCode.TooManyPrefixes, Ext("00 00 03 01 61 01 62 01 63 23 12 41"));
        Assert.Equal(ErrorCode.TooManyPrefixes, Ext("00 00 ff ff ff ff 0f 23 12 41")); // refused on the count alone
        Assert.Equal(ErrorCode.TooManyPrefixes, Ext("00 00 02 04 61 62 63 64 03 65 66 67 23 12 41"));
        Assert.Equal(ErrorCode.TooManyPrefixes, Js("""{"requestId":"r","action":"subscribe","prefixes":["a","b","c"]}"""));
        Assert.Equal(ErrorCode.TooManyPrefixes, Js("""{"requestId":"r","action":"subscribe","prefixes":["abcd","efg"]}"""));

        // A get of as many keys is not a subscribe: its own limit applies.
        Assert.IsType<Get>(new JsonServerDecoder(limits).Decode(Encoding.UTF8.GetBytes("""{"requestId":"r","action":"get","keys":["a","b","c"]}""")));
    }

    [Fact]
    public void A_large_count_should_fail_before_any_allocation() =>
        Assert.Equal(ErrorCode.TooManyKeys, Extended("ff ff ff ff 0f 23 16 41"));

    [Fact]
    public void A_key_over_the_limit_should_be_KeyTooLarge()
    {
        Assert.Equal(ErrorCode.KeyTooLarge, G1(@"abcde#\x00A"));
        Assert.Equal(ErrorCode.KeyTooLarge, Extended("01 05 61 62 63 64 65 23 16 41"));
        Assert.Equal(ErrorCode.KeyTooLarge, Json("""{"requestId":"r","action":"get","keys":["abcde"]}"""));
    }

    [Fact]
    public void A_value_over_the_limit_should_be_ValueTooLarge()
    {
        Assert.Equal(ErrorCode.ValueTooLarge, G1(@"k#123456789#\x02A"));
        Assert.Equal(ErrorCode.ValueTooLarge, Extended("01 01 6b 09 31 32 33 34 35 36 37 38 39 23 17 41"));
        Assert.Equal(ErrorCode.ValueTooLarge, Json("""{"requestId":"r","action":"put","pairs":[{"key":"k","value":"123456789"}]}"""));
        Assert.Equal(ErrorCode.ValueTooLarge, Json("""{"requestId":"r","action":"put","encoding":"base64","pairs":[{"key":"aw==","value":"MTIzNDU2Nzg5"}]}"""));
    }

    [Fact]
    public void A_length_beyond_the_frame_should_be_a_bad_frame_not_an_allocation() =>
        Assert.Equal(ErrorCode.BadFrame, Extended("01 01 6b 08 31 23 17 41"));

    [Fact]
    public void Limit_errors_should_name_the_request()
    {
        var ex = Assert.Throws<ProtocolException>(() => new BinaryServerDecoder(Dialect.G1, Limits).Decode(Bytes.Escaped(@"a#b#c#\x00Q")));
        Assert.Equal(Bytes.Id("Q"), ex.RequestId);
        Assert.Equal(Describe.Of(new Error(Bytes.Id("Q"), ErrorCode.TooManyKeys, "too many keys in one batch")), Describe.Of(ex.ToError()));
    }

    [Fact]
    public void Limits_should_reject_non_positive_values() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new BinaryServerDecoder(Dialect.G1, Limits with { MaxKeyBytes = 0 }));

    [Fact]
    public void Subprotocol_selection_should_default_to_G1()
    {
        Assert.Equal((Dialect.G1, (string?)null), Subprotocols.Select([]));
        Assert.Equal((Dialect.G1, (string?)null), Subprotocols.Select(["chat"]));
        Assert.Equal((Dialect.Extended, (string?)"mwg.v1"), Subprotocols.Select(["chat", "mwg.v1", "mwg.json.v1"]));
        Assert.Equal((Dialect.Json, (string?)"mwg.json.v1"), Subprotocols.Select(["mwg.json.v1"]));
    }

    [Fact]
    public void Error_codes_should_keep_their_wire_values()
    {
        Assert.Equal(1, (int)ErrorCode.BadFrame);
        Assert.Equal(9, (int)ErrorCode.NotLockHolder);
        Assert.Equal(12, (int)ErrorCode.ResumeTooOld);
        Assert.Equal(32, (int)ErrorCode.Unavailable);
        Assert.Equal(40, (int)ErrorCode.Internal);
        Assert.True(ErrorCode.Unavailable.IsRetryable());
        Assert.False(ErrorCode.BadFrame.IsRetryable());
    }
}
