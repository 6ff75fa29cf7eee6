using System.Text;
using Akka.Actor;
using MwgActors.Actors.Subscriptions;
using MwgActors.Protocol;
using MwgActors.Protocol.Binary;
using MwgActors.Storage.Mwdb;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// An original G1 client (no subprotocol) never subscribes, yet receives every committed put as a type 5 frame
/// (the put's pairs, no id), whoever wrote it, as the original server did; unless mwg.connection.g1-push-puts is off.
/// </summary>
public sealed class G1PushEndToEndTests
{
    private static readonly BinaryClientEncoder G1Encoder = new(Dialect.G1);
    private static readonly BinaryClientDecoder G1Decoder = new(Dialect.G1);

    [Fact]
    public async Task G1_client_should_receive_every_put_as_a_type_5_frame_whoever_wrote_it()
    {
        await using var server = await TestServer.StartAsync();
        await using var observer = await ConnectG1ObserverAsync(server.Uri);
        await using var g1Writer = await ProtocolClient.ConnectAsync(server.Uri, Dialect.G1);
        await using var jsonWriter = await ProtocolClient.ConnectAsync(server.Uri, Dialect.Json);
        await using var extendedWriter = await ProtocolClient.ConnectAsync(server.Uri);

        Assert.True(Assert.IsType<PutResult>(await g1Writer.SendAsync(new Put(g1Writer.NextId(), [Pair("g1/key", "from g1")]))).Ok);
        await ExpectType5Async(observer, ("g1/key", "from g1"));

        await server.Server.Mwg.Store.PutAsync([new KeyValuePair<byte[], byte[]>(Utf8("api/key"), Utf8("from the api"))]);
        await ExpectType5Async(observer, ("api/key", "from the api"));

        Assert.True(Assert.IsType<PutResult>(await jsonWriter.SendAsync(new Put(jsonWriter.NextId(), [Pair("json/key", "from json")]))).Ok);
        await ExpectType5Async(observer, ("json/key", "from json"));

        Assert.True(Assert.IsType<PutResult>(await extendedWriter.SendAsync(new Put(extendedWriter.NextId(), [Pair("ext/1", "a"), Pair("ext/2", "b")]))).Ok);
        await ExpectType5Async(observer, ("ext/1", "a"), ("ext/2", "b"));
    }

    [Fact]
    public async Task G1_client_should_receive_no_frame_for_a_remove()
    {
        await using var server = await TestServer.StartAsync();
        await using var observer = await ConnectG1ObserverAsync(server.Uri);
        await using var writer = await ProtocolClient.ConnectAsync(server.Uri);
        Assert.IsType<PutResult>(await writer.SendAsync(new Put(writer.NextId(), [Pair("k", "v")])));
        await ExpectType5Async(observer, ("k", "v"));

        Assert.IsType<RemoveResult>(await writer.SendAsync(new Remove(writer.NextId(), [Utf8("k")])));
        Assert.IsType<PutResult>(await writer.SendAsync(new Put(writer.NextId(), [Pair("marker", "m")])));

        // A frame for the remove would have come before the marker's.
        await ExpectType5Async(observer, ("marker", "m"));
    }

    [Fact]
    public async Task G1_client_should_receive_nothing_unasked_when_g1_push_puts_is_off()
    {
        await using var server = await TestServer.StartAsync("mwg.connection.g1-push-puts = off");
        await using var observer = await ConnectG1ObserverAsync(server.Uri);
        await using var writer = await ProtocolClient.ConnectAsync(server.Uri);

        // The connection never registered for the push: the subscription actor holds no subscription at all
        // (it handles the connection's start before this question, which comes after the observer's round trip).
        var stats = await server.Server.Mwg.Subscriptions.Ask<SubscriptionProtocol.SubscriptionStats>(
            SubscriptionProtocol.GetStats.Instance, TimeSpan.FromSeconds(5));
        Assert.Equal(0, stats.Subscriptions);

        Assert.IsType<PutResult>(await writer.SendAsync(new Put(writer.NextId(), [Pair("k", "v")])));
        await server.Server.Mwg.Store.PutAsync([new KeyValuePair<byte[], byte[]>(Utf8("api"), Utf8("v"))]);

        // The next frame the observer reads is the answer to its own get, which sees both puts.
        await observer.SendAsync(G1Encoder.Encode(new Get(new RequestId(MwdbBase64.EncodeInt(2)), [Utf8("k"), Utf8("api")])));
        var reply = Assert.IsType<GetResult>(G1Decoder.Decode(await observer.ReceiveAsync() ?? throw new InvalidOperationException("closed")));
        Assert.Equal(["v", "v"], reply.Values.Select(v => Text(v!)));
    }

    /// <summary>
    /// A raw G1 client that has finished one round trip: its connection actor has started, so the put push is
    /// registered before any later write commits.
    /// </summary>
    [Fact]
    public async Task A_forced_reload_should_leave_a_G1_client_connected_and_pushed_to()
    {
        await using var server = await TestServer.StartAsync();
        await using var observer = await ConnectG1ObserverAsync(server.Uri);
        await using var writer = await ProtocolClient.ConnectAsync(server.Uri);
        Assert.IsType<PutResult>(await writer.SendAsync(new Put(writer.NextId(), [Pair("before", "1")])));
        await ExpectType5Async(observer, ("before", "1"));

        // The push subscription covers every key, so the reload reaches it; G1 has no frame for it (it used to close
        // the socket with 1011).
        using var http = new HttpClient { BaseAddress = server.Server.HttpUri, Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.PostAsync("/admin/reload", new StringContent("{\"prefixes\": [\"\"]}", Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, $"reload answered {(int)response.StatusCode}");

        Assert.IsType<PutResult>(await writer.SendAsync(new Put(writer.NextId(), [Pair("after", "2")])));
        await ExpectType5Async(observer, ("after", "2"));
    }

    private static async Task<RawClient> ConnectG1ObserverAsync(Uri uri)
    {
        var observer = await RawClient.ConnectAsync(uri);
        await observer.SendAsync(G1Encoder.Encode(new Get(new RequestId(MwdbBase64.EncodeInt(1)), [Utf8("nothing")])));
        Assert.IsType<GetResult>(G1Decoder.Decode(await observer.ReceiveAsync() ?? throw new InvalidOperationException("closed")));
        return observer;
    }

    private static async Task ExpectType5Async(RawClient observer, params (string Key, string Value)[] pairs)
    {
        var frame = await observer.ReceiveAsync(TimeSpan.FromSeconds(5)) ?? throw new InvalidOperationException("closed");

        // DATA # 05 with no id: the header is the frame's last two bytes.
        Assert.Equal((byte)'#', frame[^2]);
        Assert.Equal(0x05, frame[^1]);
        var push = Assert.IsType<ReloadPairs>(G1Decoder.Decode(frame));
        Assert.Equal(pairs, push.Pairs.Select(p => (Text(p.Key), Text(p.Value))));
    }

    private static KeyValue Pair(string key, string value) => new(Utf8(key), Utf8(value));

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
