using System.Text;
using MwgActors.Protocol.Json;

namespace MwgActors.Protocol.Tests;

/// <summary>The JSON examples of docs/protocol.md part 3, exactly.</summary>
public sealed class JsonDialectTests
{
    private static readonly RequestId R1 = RequestId.FromString("r1");
    private static readonly RequestId R2 = RequestId.FromString("r2", ValueEncoding.Base64);

    /// <summary>Frame text, message, and whether the client sends it.</summary>
    public static TheoryData<string, ProtocolMessage, bool> Examples => new()
    {
        { """{"requestId":"r1","action":"get","keys":["user:1","user:2"]}""", new Get(R1, [U("user:1"), U("user:2")]), true },
        { """{"requestId":"r2","action":"get","encoding":"base64","keys":["AAE="]}""", new Get(R2, [[0, 1]]), true },
        { """{"requestId":"r1","action":"get","keys":["user:1"],"minRevision":42}""", new Get(R1, [U("user:1")], 42), true },
        { """{"requestId":"r1","action":"put","pairs":[{"key":"user:1","value":"Ada"}]}""", new Put(R1, [new KeyValue(U("user:1"), U("Ada"))]), true },
        { """{"requestId":"r1","action":"remove","keys":["user:1"]}""", new Remove(R1, [U("user:1")]), true },
        { """{"requestId":"r1","action":"lock"}""", new Lock(R1), true },
        { """{"requestId":"r1","action":"lock","prefix":5,"leaseToken":"dG9r"}""", new Lock(R1, new LeaseClaim(5, U("tok"))), true },
        { """{"requestId":"r1","action":"unlock","prefix":5,"leaseToken":"dG9r"}""", new Unlock(R1, 5, U("tok")), true },
        { """{"requestId":"r1","action":"subscribe","prefixes":["user:"],"since":41,"includeValues":true}""", new Subscribe(R1, [U("user:")], 41, true), true },
        { """{"requestId":"r1","action":"unsubscribe","subscriptionId":7}""", new Unsubscribe(R1, 7), true },
        { """{"requestId":"r1","action":"ping"}""", new Ping(R1), true },
        { """{"p":1}""", new Ping(RequestId.None), true },
        { """{"requestId":"r1","action":"auth","token":"eyJ.x.y"}""", new Auth(R1, "eyJ.x.y"), true },
        { """{"room":"r1","requestId":"r1","action":"auth","status":200,"result":{"subject":"ada","expiresAt":1700000000000}}""", new AuthResult(R1, "ada", 1700000000000), false },
        { """{"room":"r1","requestId":"r1","action":"auth","status":200,"result":{"subject":"ada"}}""", new AuthResult(R1, "ada", null), false },
        { """{"room":"mwg.server","action":"tokenExpired","result":{}}""", new TokenExpired(), false },
        { """{"room":"r1","requestId":"r1","action":"get","status":200,"result":{"values":["Ada",null]}}""", new GetResult(R1, [U("Ada"), null]), false },
        { """{"room":"r2","requestId":"r2","encoding":"base64","action":"get","status":200,"result":{"values":["AAE="]}}""", new GetResult(R2, [[0, 1]]), false },
        { """{"room":"r1","requestId":"r1","action":"put","status":200,"result":{"ok":true,"revision":42}}""", new PutResult(R1, true, 42), false },
        { """{"room":"r1","requestId":"r1","action":"remove","status":200,"result":{"ok":true,"revision":43}}""", new RemoveResult(R1, true, 43), false },
        { """{"room":"r1","requestId":"r1","action":"remove","status":200,"result":{"ok":true,"revision":43,"changed":0}}""", new RemoveResult(R1, true, 43, 0), false },
        { """{"room":"r1","requestId":"r1","action":"lock","status":200,"result":{"prefix":5,"leaseToken":"dG9r"}}""", new LockResult(R1, 5, U("tok")), false },
        { """{"room":"r1","requestId":"r1","action":"unlock","status":200,"result":{}}""", new UnlockResult(R1), false },
        { """{"room":"r1","requestId":"r1","action":"subscribe","status":200,"result":{"subscriptionId":7,"channel":"mwg.sub.7","revision":42}}""", new Subscribed(R1, 7, 42), false },
        { """{"room":"r1","requestId":"r1","action":"unsubscribe","status":200,"result":{}}""", new Unsubscribed(R1), false },
        { """{"room":"r1","requestId":"r1","action":"ping","status":200,"result":{}}""", new Pong(R1), false },
        { """{"p":2}""", new Pong(RequestId.None), false },
        { """{"room":"r1","requestId":"r1","status":409,"error":{"id":"NotLockHolder","code":9,"message":"not held"}}""", new Error(R1, ErrorCode.NotLockHolder, "not held"), false },
        { """{"room":"mwg.server","status":400,"error":{"id":"BadFrame","code":1,"message":"invalid JSON"}}""", new Error(RequestId.None, ErrorCode.BadFrame, "invalid JSON"), false },
        { """{"room":"mwg.sub.7","action":"notify","result":{"subscriptionId":7,"revision":43,"changes":[{"key":"user:1","value":"Ada"},{"key":"user:2","removed":true}]}}""",
            new ChangeNotification(7, 43, [new Change(U("user:1"), false, U("Ada")), new Change(U("user:2"), true, null)]), false },
        { """{"room":"mwg.server","action":"reload","result":{"pairs":[{"key":"k","value":"v"}]}}""", new ReloadPairs([new KeyValue(U("k"), U("v"))]), false },
        { """{"room":"mwg.sub.7","action":"reloadKeys","result":{"subscriptionId":7,"keys":["user:1"],"prefixes":["team:"]}}""", new ReloadKeys(7, [U("user:1")], [U("team:")]), false },
        { """{"room":"mwg.sub.7","action":"reloadAll","result":{"subscriptionId":7}}""", new ReloadAll(7), false },
        { """{"room":"mwg.server","action":"hello","result":{"version":1,"serverId":"s1","limits":{"maxFrameBytes":65536,"maxKeysPerBatch":256,"maxKeyBytes":128,"maxValueBytes":4096,"maxSubscriptionsPerConnection":16,"maxPrefixesPerSubscription":32,"maxPrefixBytesPerConnection":2048}}}""",
            new Hello(1, "s1", new ProtocolLimits(65536, 256, 128, 4096, 16, 32, 2048)), false },
    };

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_should_encode_to_the_documented_text(string json, ProtocolMessage message, bool fromClient)
    {
        byte[] frame;
        if (fromClient)
        {
            using var client = new JsonClientEncoder();
            frame = client.Encode((Request)message);
        }
        else
        {
            using var server = new JsonServerEncoder();
            frame = server.Encode(message);
        }

        Assert.Equal(json, Encoding.UTF8.GetString(frame));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_should_decode_from_the_documented_text(string json, ProtocolMessage message, bool fromClient)
    {
        var frame = Encoding.UTF8.GetBytes(json);
        var decoded = fromClient ? (ProtocolMessage)new JsonServerDecoder().Decode(frame) : new JsonClientDecoder().Decode(frame);
        Assert.Equal(Describe.Of(message), Describe.Of(decoded));
    }

    [Fact]
    public void The_heartbeat_should_be_answered_p_2()
    {
        var ping = new JsonServerDecoder().Decode("""{"p":1}"""u8);
        using var encoder = new JsonServerEncoder();
        Assert.Equal("""{"p":2}""", Encoding.UTF8.GetString(encoder.Encode(new Pong(ping.Id))));
    }

    [Fact]
    public void Notifications_should_use_the_encoding_the_subscribe_asked()
    {
        using var encoder = new JsonServerEncoder();
        encoder.Encode(new Subscribed(RequestId.FromString("s", ValueEncoding.Base64), 3, 0));
        var text = Encoding.UTF8.GetString(encoder.Encode(new ChangeNotification(3, 1, [new Change(U("k"), false, U("v"))])));
        Assert.Equal("""{"room":"mwg.sub.3","action":"notify","encoding":"base64","result":{"subscriptionId":3,"revision":1,"changes":[{"key":"aw==","value":"dg=="}]}}""", text);
    }

    [Fact]
    public void A_value_that_is_not_UTF8_should_not_be_sent_to_a_UTF8_request()
    {
        using var encoder = new JsonServerEncoder();
        var ex = Assert.Throws<ProtocolException>(() => encoder.Encode(new GetResult(R1, [[0xFF]])));
        Assert.Equal(ErrorCode.NotRepresentable, ex.Code);
        Assert.Equal(R1, ex.RequestId);
    }

    [Theory]
    [InlineData("""{"requestId":"r1","action":"fly"}""", ErrorCode.UnknownType)]
    [InlineData("""{"requestId":"r1","action":"get"}""", ErrorCode.BadFrame)]
    [InlineData("""{"requestId":"r1","action":"get","keys":["a"]""", ErrorCode.BadFrame)]
    [InlineData("""{"requestId":"mwg.sub.1","action":"ping"}""", ErrorCode.BadFrame)]
    [InlineData("""{"requestId":"r1","action":"get","encoding":"base64","keys":["!!"]}""", ErrorCode.BadFrame)]
    [InlineData("""{"p":1,"requestId":"r1"}""", ErrorCode.BadFrame)]
    [InlineData("""[1,2]""", ErrorCode.BadFrame)]
    [InlineData("""{"requestId":"r1","action":"get","keys":["\uD800"]}""", ErrorCode.BadFrame)]
    public void A_bad_request_should_be_a_typed_error(string json, ErrorCode code) =>
        Assert.Equal(code, Assert.Throws<ProtocolException>(() => new JsonServerDecoder().Decode(Encoding.UTF8.GetBytes(json))).Code);

    [Fact]
    public void An_error_after_the_requestId_should_name_the_request()
    {
        var ex = Assert.Throws<ProtocolException>(() => new JsonServerDecoder().Decode("""{"action":"unsubscribe","requestId":"r9"}"""u8));
        Assert.Equal(RequestId.FromString("r9"), ex.RequestId);
    }

    private static byte[] U(string text) => Encoding.UTF8.GetBytes(text);
}
