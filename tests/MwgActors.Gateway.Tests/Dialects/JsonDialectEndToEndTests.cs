using System.Text;
using System.Text.Json;
using MwgActors.Protocol;
using Lock = MwgActors.Protocol.Lock;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// The JSON dialect (<c>mwg.json.v1</c>) against a real server: exact wire text for the shapes of docs/protocol.md
/// section 3 over a raw socket, and every action through the shared client codec.
/// </summary>
public sealed class JsonDialectEndToEndTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync("mwg.protocol.max-keys-per-batch = 4");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Hello_should_come_first_in_the_server_room_with_the_limits()
    {
        await using var client = await RawClient.ConnectAsync(_server.Uri, Subprotocols.Json);

        using var hello = JsonDocument.Parse(await ReceiveTextAsync(client));

        Assert.Equal("mwg.server", hello.RootElement.GetProperty("room").GetString());
        Assert.Equal("hello", hello.RootElement.GetProperty("action").GetString());
        var result = hello.RootElement.GetProperty("result");
        Assert.Equal(1, result.GetProperty("version").GetInt32());
        Assert.Equal(4, result.GetProperty("limits").GetProperty("maxKeysPerBatch").GetInt32());
    }

    [Fact]
    public async Task Put_get_and_remove_should_answer_in_the_request_room_with_the_exact_wire_shape()
    {
        await using var client = await ConnectRawAsync();

        Assert.Equal(
            """{"room":"w1","requestId":"w1","action":"put","status":200,"result":{"ok":true,"revision":1}}""",
            await RoundTripAsync(client, """{"requestId":"w1","action":"put","pairs":[{"key":"user:1","value":"Ada"}]}"""));
        Assert.Equal(
            """{"room":"g1","requestId":"g1","action":"get","status":200,"result":{"values":["Ada",null]}}""",
            await RoundTripAsync(client, """{"requestId":"g1","action":"get","keys":["user:1","user:2"]}"""));
        Assert.Equal(
            """{"room":"d1","requestId":"d1","action":"remove","status":200,"result":{"ok":true,"revision":2,"changed":1}}""",
            await RoundTripAsync(client, """{"requestId":"d1","action":"remove","keys":["user:1"]}"""));
        Assert.Equal(
            """{"room":"g2","requestId":"g2","action":"get","status":200,"result":{"values":[null]}}""",
            await RoundTripAsync(client, """{"requestId":"g2","action":"get","keys":["user:1"]}"""));
    }

    [Fact]
    public async Task Ping_and_the_Kuzzle_heartbeat_should_be_answered()
    {
        await using var client = await ConnectRawAsync();

        Assert.Equal(
            """{"room":"p1","requestId":"p1","action":"ping","status":200,"result":{}}""",
            await RoundTripAsync(client, """{"requestId":"p1","action":"ping"}"""));
        Assert.Equal("""{"p":2}""", await RoundTripAsync(client, """{"p":1}"""));
    }

    [Fact]
    public async Task Bad_json_should_answer_an_error_in_the_server_room_and_keep_the_connection()
    {
        await using var client = await ConnectRawAsync();

        Assert.Equal(
            """{"room":"mwg.server","status":400,"error":{"id":"BadFrame","code":1,"message":"invalid JSON"}}""",
            await RoundTripAsync(client, """{"requestId":"x1","action":"""));

        Assert.Contains("\"status\":200", await RoundTripAsync(client, """{"requestId":"p1","action":"ping"}"""), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_action_should_answer_an_UnknownType_error_in_the_request_room()
    {
        await using var client = await ConnectRawAsync();

        using var reply = JsonDocument.Parse(await RoundTripAsync(client, """{"requestId":"u1","action":"explode"}"""));

        AssertError(reply, "u1", 400, ErrorCode.UnknownType);
    }

    [Fact]
    public async Task Too_many_keys_should_answer_a_TooManyKeys_error_and_keep_the_connection()
    {
        await using var client = await ConnectRawAsync();

        using var reply = JsonDocument.Parse(await RoundTripAsync(client, """{"requestId":"k1","action":"get","keys":["a","b","c","d","e"]}"""));

        AssertError(reply, "k1", 413, ErrorCode.TooManyKeys);
        Assert.Equal(
            """{"room":"k2","requestId":"k2","action":"get","status":200,"result":{"values":[null,null,null,null]}}""",
            await RoundTripAsync(client, """{"requestId":"k2","action":"get","keys":["a","b","c","d"]}"""));
    }

    [Fact]
    public async Task Lock_and_unlock_should_carry_a_base64_lease_token_and_refuse_a_wrong_one()
    {
        await using var client = await ConnectRawAsync();

        using var locked = JsonDocument.Parse(await RoundTripAsync(client, """{"requestId":"l1","action":"lock"}"""));
        Assert.Equal("l1", locked.RootElement.GetProperty("room").GetString());
        var result = locked.RootElement.GetProperty("result");
        var prefix = result.GetProperty("prefix").GetInt32();
        var token = result.GetProperty("leaseToken").GetString()!;
        Assert.NotEmpty(Convert.FromBase64String(token));

        using var wrong = JsonDocument.Parse(await RoundTripAsync(
            client, $$"""{"requestId":"u0","action":"unlock","prefix":{{prefix}},"leaseToken":"{{Convert.ToBase64String("nope"u8)}}"}"""));
        AssertError(wrong, "u0", 409, ErrorCode.LeaseTokenInvalid);

        Assert.Equal(
            """{"room":"u1","requestId":"u1","action":"unlock","status":200,"result":{}}""",
            await RoundTripAsync(client, $$"""{"requestId":"u1","action":"unlock","prefix":{{prefix}},"leaseToken":"{{token}}"}"""));
    }

    [Fact]
    public async Task Subscription_should_push_notifications_in_its_channel_room_and_unsubscribe()
    {
        await using var subscriber = await ConnectRawAsync();
        await using var writer = await ConnectRawAsync();

        using var subscribed = JsonDocument.Parse(await RoundTripAsync(
            subscriber, """{"requestId":"s1","action":"subscribe","prefixes":["user:"],"includeValues":true}"""));
        var result = subscribed.RootElement.GetProperty("result");
        var subscriptionId = result.GetProperty("subscriptionId").GetInt64();
        var channel = result.GetProperty("channel").GetString();
        Assert.Equal("s1", subscribed.RootElement.GetProperty("room").GetString());
        Assert.Equal($"mwg.sub.{subscriptionId}", channel);

        await RoundTripAsync(writer, """{"requestId":"w1","action":"put","pairs":[{"key":"team:1","value":"x"},{"key":"user:1","value":"Ada"}]}""");

        Assert.Equal(
            $$$"""{"room":"{{{channel}}}","action":"notify","result":{"subscriptionId":{{{subscriptionId}}},"revision":1,"changes":[{"key":"user:1","value":"Ada"}]}}""",
            await ReceiveTextAsync(subscriber));

        Assert.Equal(
            """{"room":"s2","requestId":"s2","action":"unsubscribe","status":200,"result":{}}""",
            await RoundTripAsync(subscriber, $$"""{"requestId":"s2","action":"unsubscribe","subscriptionId":{{subscriptionId}}}"""));
        using var unknown = JsonDocument.Parse(await RoundTripAsync(
            subscriber, $$"""{"requestId":"s3","action":"unsubscribe","subscriptionId":{{subscriptionId}}}"""));
        AssertError(unknown, "s3", 404, ErrorCode.UnknownSubscription);
    }

    [Fact]
    public async Task Base64_requests_should_carry_bytes_that_are_not_utf8_and_utf8_requests_should_refuse_them()
    {
        await using var client = await ConnectRawAsync();
        await using var writer = await ConnectRawAsync();
        var key = Convert.ToBase64String([0x00, 0x01]);
        var value = Convert.ToBase64String([0xff, 0xfe, 0x00, 0x80]);

        using var subscribed = JsonDocument.Parse(await RoundTripAsync(
            client, """{"requestId":"s1","action":"subscribe","encoding":"base64","prefixes":[""],"includeValues":true}"""));
        var channel = subscribed.RootElement.GetProperty("result").GetProperty("channel").GetString();
        Assert.Equal("base64", subscribed.RootElement.GetProperty("encoding").GetString());

        var put = await RoundTripAsync(writer, $$"""{"requestId":"w1","action":"put","encoding":"base64","pairs":[{"key":"{{key}}","value":"{{value}}"}]}""");
        Assert.Equal("""{"room":"w1","requestId":"w1","encoding":"base64","action":"put","status":200,"result":{"ok":true,"revision":1}}""", put);
        Assert.Equal(
            $$$"""{"room":"{{{channel}}}","action":"notify","encoding":"base64","result":{"subscriptionId":1,"revision":1,"changes":[{"key":"{{{key}}}","value":"{{{value}}}"}]}}""",
            await ReceiveTextAsync(client));

        Assert.Equal(
            $$$"""{"room":"g1","requestId":"g1","encoding":"base64","action":"get","status":200,"result":{"values":["{{{value}}}"]}}""",
            await RoundTripAsync(client, $$"""{"requestId":"g1","action":"get","encoding":"base64","keys":["{{key}}"]}"""));

        // The same value asked for as UTF-8 cannot be written.
        using var refused = JsonDocument.Parse(await RoundTripAsync(client, """{"requestId":"g2","action":"get","keys":["\u0000\u0001"]}"""));
        AssertError(refused, "g2", 422, ErrorCode.NotRepresentable);
    }

    [Fact]
    public async Task Every_action_should_round_trip_through_the_json_client_codec()
    {
        await using var client = await ProtocolClient.ConnectAsync(_server.Uri, Dialect.Json);
        await using var writer = await ProtocolClient.ConnectAsync(_server.Uri, Dialect.Json);

        Assert.IsType<Pong>(await client.SendAsync(new Ping(client.NextId())));
        var subscribed = Assert.IsType<Subscribed>(await client.SendAsync(new Subscribe(client.NextId(), [Utf8("k:")], null, IncludeValues: true)));

        var put = Assert.IsType<PutResult>(await writer.SendAsync(new Put(writer.NextId(), [new KeyValue(Utf8("k:1"), Utf8("v1"))])));
        Assert.True(put.Ok);
        var notification = await client.NextPushAsync<ChangeNotification>();
        Assert.Equal(subscribed.SubscriptionId, notification.SubscriptionId);
        Assert.Equal(put.Revision, notification.Revision);
        Assert.Equal("v1", Encoding.UTF8.GetString(Assert.Single(notification.Changes).Value!));

        var got = Assert.IsType<GetResult>(await client.SendAsync(new Get(client.NextId(), [Utf8("k:1"), Utf8("k:2")])));
        Assert.Equal("v1", Encoding.UTF8.GetString(got.Values[0]!));
        Assert.Null(got.Values[1]);

        var removed = Assert.IsType<RemoveResult>(await writer.SendAsync(new Remove(writer.NextId(), [Utf8("k:1")])));
        Assert.Equal(put.Revision + 1, removed.Revision);
        Assert.True(Assert.Single((await client.NextPushAsync<ChangeNotification>()).Changes).Removed);

        Assert.IsType<Unsubscribed>(await client.SendAsync(new Unsubscribe(client.NextId(), subscribed.SubscriptionId)));

        var locked = Assert.IsType<LockResult>(await client.SendAsync(new Lock(client.NextId())));
        var reclaimed = Assert.IsType<LockResult>(await writer.SendAsync(new Lock(writer.NextId(), new LeaseClaim(locked.Prefix, locked.LeaseToken!))));
        Assert.Equal(locked.Prefix, reclaimed.Prefix);
        Assert.IsType<UnlockResult>(await writer.SendAsync(new Unlock(writer.NextId(), locked.Prefix, locked.LeaseToken!)));

        var tooMany = Assert.IsType<Error>(await client.SendAsync(new Remove(client.NextId(), [.. Enumerable.Range(0, 5).Select(i => Utf8("k:" + i))])));
        Assert.Equal(ErrorCode.TooManyKeys, tooMany.Code);
    }

    private static void AssertError(JsonDocument reply, string requestId, int status, ErrorCode code)
    {
        var root = reply.RootElement;
        Assert.Equal(requestId, root.GetProperty("room").GetString());
        Assert.Equal(requestId, root.GetProperty("requestId").GetString());
        Assert.Equal(status, root.GetProperty("status").GetInt32());
        var error = root.GetProperty("error");
        Assert.Equal(code.ToString(), error.GetProperty("id").GetString());
        Assert.Equal((int)code, error.GetProperty("code").GetInt32());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        Assert.False(root.TryGetProperty("result", out _));
    }

    private async Task<RawClient> ConnectRawAsync()
    {
        var client = await RawClient.ConnectAsync(_server.Uri, Subprotocols.Json);
        Assert.Contains("\"action\":\"hello\"", await ReceiveTextAsync(client), StringComparison.Ordinal);
        return client;
    }

    private static async Task<string> RoundTripAsync(RawClient client, string request)
    {
        await client.SendTextAsync(request);
        return await ReceiveTextAsync(client);
    }

    private static async Task<string> ReceiveTextAsync(RawClient client)
    {
        var text = await client.ReceiveTextAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(text);
        return text;
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
