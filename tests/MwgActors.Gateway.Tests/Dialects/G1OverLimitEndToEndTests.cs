using System.Net.WebSockets;
using System.Text;
using MwgActors.Protocol;
using MwgActors.Protocol.Binary;
using MwgActors.Storage.Mwdb;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// Issue 14, finding 10: an original G1 client has no timeout, so a put or remove over a limit must be answered
/// (<c>false</c> with its id, as for a forbidden write), never closed with 1002: the client would wait forever.
/// </summary>
public sealed class G1OverLimitEndToEndTests : IAsyncLifetime
{
    private static readonly BinaryClientEncoder Encoder = new(Dialect.G1);
    private static readonly BinaryClientDecoder Decoder = new(Dialect.G1);
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync("""
        mwg.protocol.max-keys-per-batch = 8
        mwg.protocol.max-key-size = 64
        mwg.protocol.max-value-size = 64
        mwg.connection.g1-push-puts = off
        """);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_put_of_one_pair_too_many_should_answer_false_with_its_id_and_keep_the_connection()
    {
        await using var client = await RawClient.ConnectAsync(_server.Uri);
        var nine = Enumerable.Range(0, 9).Select(i => new KeyValue(Utf8("big/" + i), Utf8("v"))).ToArray();

        var refused = await RoundTripAsync(client, new Put(Id(5), nine));
        Assert.Equal(new PutResult(Id(5), false), refused);

        var stored = await RoundTripAsync(client, new Put(Id(6), nine[..8]));
        Assert.Equal(new PutResult(Id(6), true), stored);
        var read = Assert.IsType<GetResult>(await RoundTripAsync(client, new Get(Id(7), [Utf8("big/8"), Utf8("big/7")])));

        // The refused batch wrote nothing: its ninth key exists only if the refused put was stored.
        Assert.Equal(["", "v"], read.Values.Select(v => Encoding.UTF8.GetString(v ?? [])));
    }

    [Fact]
    public async Task A_put_with_a_key_or_value_over_its_size_limit_should_answer_false_and_keep_the_connection()
    {
        await using var client = await RawClient.ConnectAsync(_server.Uri);

        Assert.Equal(new PutResult(Id(1), false), await RoundTripAsync(client, new Put(Id(1), [new KeyValue(new byte[65], Utf8("v"))])));
        Assert.Equal(new PutResult(Id(2), false), await RoundTripAsync(client, new Put(Id(2), [new KeyValue(Utf8("k"), new byte[65])])));
        Assert.Equal(new PutResult(Id(3), true), await RoundTripAsync(client, new Put(Id(3), [new KeyValue(Utf8("k"), Utf8("v"))])));
    }

    [Fact]
    public async Task A_remove_over_a_limit_should_answer_false_and_keep_the_connection()
    {
        await using var client = await RawClient.ConnectAsync(_server.Uri);
        var nine = Enumerable.Range(0, 9).Select(i => Utf8("k" + i)).ToArray();

        Assert.Equal(new RemoveResult(Id(1), false), await RoundTripAsync(client, new Remove(Id(1), nine)));
        Assert.Equal(new RemoveResult(Id(2), false), await RoundTripAsync(client, new Remove(Id(2), [new byte[65]])));
        Assert.Equal(new RemoveResult(Id(3), true), await RoundTripAsync(client, new Remove(Id(3), nine[..8])));
    }

    [Fact]
    public async Task A_frame_over_the_size_limit_should_still_close_with_1009_since_it_was_not_read()
    {
        await using var server = await TestServer.StartAsync("mwg.protocol.max-frame-size = 1k\nmwg.connection.g1-push-puts = off");
        await using var client = await RawClient.ConnectAsync(server.Uri);

        await client.SendAsync(Encoder.Encode(new Put(Id(1), [new KeyValue(Utf8("k"), new byte[2048])])));

        Assert.Null(await client.ReceiveAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, client.Socket.CloseStatus);
    }

    private static async Task<ProtocolMessage> RoundTripAsync(RawClient client, Request request)
    {
        await client.SendAsync(Encoder.Encode(request));
        var frame = await client.ReceiveAsync(TimeSpan.FromSeconds(10)) ?? throw new InvalidOperationException($"closed with {client.Socket.CloseStatus}");
        return Decoder.Decode(frame);
    }

    private static RequestId Id(int n) => new(MwdbBase64.EncodeInt(n));

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
