using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using MwgActors.Protocol;
using MwgActors.Protocol.Binary;
using MwgActors.Storage.Mwdb;

namespace MwgActors.Gateway.Tests;

/// <summary>The codec and connection limits over real sockets: frame size, batch size, requests in flight.</summary>
public sealed class LimitsEndToEndTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync("""
        mwg.protocol.max-frame-size = 64k
        mwg.protocol.max-keys-per-batch = 8
        mwg.connection.max-requests-in-flight = 2
        mwg.connection.g1-push-puts = off
        """);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData(null)]
    [InlineData(Subprotocols.Extended)]
    [InlineData(Subprotocols.Json)]
    public async Task Frame_over_the_size_limit_should_close_the_connection_with_1009(string? subprotocol)
    {
        await using var client = await RawClient.ConnectAsync(_server.Uri, subprotocol);
        var frame = new byte[100 * 1024];
        Array.Fill(frame, (byte)'a');

        if (subprotocol == Subprotocols.Json)
        {
            await client.SendTextAsync(Encoding.ASCII.GetString(frame));
        }
        else
        {
            await client.SendAsync(frame);
        }

        // Skip the hello (extended dialects); the next thing is the close.
        while (await client.ReceiveAsync(TimeSpan.FromSeconds(5)) is not null)
        {
        }

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, client.Socket.CloseStatus);
    }

    [Fact]
    public async Task Batch_over_the_key_limit_should_answer_TooManyKeys_and_keep_the_connection_usable()
    {
        await using var client = await ProtocolClient.ConnectAsync(_server.Uri);
        var nine = Enumerable.Range(0, 9).Select(i => Utf8("k" + i)).ToArray();

        var get = Assert.IsType<Error>(await client.SendAsync(new Get(client.NextId(), nine)));
        var put = Assert.IsType<Error>(await client.SendAsync(new Put(client.NextId(), [.. nine.Select(k => new KeyValue(k, k))])));
        var remove = Assert.IsType<Error>(await client.SendAsync(new Remove(client.NextId(), nine)));

        Assert.All([get, put, remove], e => Assert.Equal(ErrorCode.TooManyKeys, e.Code));
        Assert.IsType<Pong>(await client.SendAsync(new Ping(client.NextId())));
        var eight = nine[..8];
        Assert.True(Assert.IsType<PutResult>(await client.SendAsync(new Put(client.NextId(), [.. eight.Select(k => new KeyValue(k, k))]))).Ok);
        Assert.Equal(8, Assert.IsType<GetResult>(await client.SendAsync(new Get(client.NextId(), eight))).Values.Count(v => v is not null));
    }

    [Fact]
    public async Task Batch_over_the_key_limit_should_close_an_original_g1_connection_which_has_no_error_frame()
    {
        await using var client = await RawClient.ConnectAsync(_server.Uri);

        await client.SendAsync(Encoding.ASCII.GetBytes("a#b#c#d#e#f#g#h#i#\u0000A"));

        Assert.Null(await client.ReceiveAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(WebSocketCloseStatus.ProtocolError, client.Socket.CloseStatus);
    }

    [Fact]
    public async Task Many_requests_sent_without_reading_should_all_be_answered_while_other_clients_keep_working()
    {
        const int Requests = 300;
        await using var flooder = await RawClient.ConnectAsync(_server.Uri, Subprotocols.Extended);
        await using var other = await ProtocolClient.ConnectAsync(_server.Uri);
        var encoder = new BinaryClientEncoder(Dialect.Extended);

        // Far more requests than the two in-flight slots, none of the replies read yet.
        for (var i = 0; i < Requests; i++)
        {
            var id = new RequestId(MwdbBase64.EncodeInt(i));
            var key = Utf8("flood:" + (i % 10));
            Request request = i % 2 == 0 ? new Put(id, [new KeyValue(key, Utf8("v" + i))]) : new Get(id, [key]);
            await flooder.SendAsync(encoder.Encode(request));
        }

        // The server keeps serving everyone else.
        for (var i = 0; i < 20; i++)
        {
            var watch = Stopwatch.StartNew();
            Assert.IsType<Pong>(await other.SendAsync(new Ping(other.NextId())));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"ping took {watch.Elapsed}");
        }

        // And the flooder gets every answer, once each.
        var decoder = new BinaryClientDecoder(Dialect.Extended);
        Assert.IsType<Hello>(decoder.Decode(await ReceiveAsync(flooder)));
        var answered = new HashSet<int>();
        for (var i = 0; i < Requests; i++)
        {
            var reply = Assert.IsAssignableFrom<Reply>(decoder.Decode(await ReceiveAsync(flooder)));
            Assert.IsNotType<Error>(reply);
            Assert.True(answered.Add(MwdbBase64.DecodeInt(reply.Id.Bytes)), "a request was answered twice");
        }

        Assert.Equal(Requests, answered.Count);
    }

    private static async Task<byte[]> ReceiveAsync(RawClient client)
    {
        var frame = await client.ReceiveAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(frame);
        return frame;
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
