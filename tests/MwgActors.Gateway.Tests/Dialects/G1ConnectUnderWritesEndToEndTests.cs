using System.Text;
using Akka.Actor;
using MwgActors.Actors.Subscriptions;
using MwgActors.Protocol;
using MwgActors.Protocol.Binary;
using MwgActors.Storage.Mwdb;
using Lock = MwgActors.Protocol.Lock;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// Issue 14, finding 9: the original mwDB client reads the missing id of a type 5 push as 0, the id of its first
/// request (the prefix request), so a push that reached it before that reply was taken as the reply and the connect
/// hung (4 of 20 connects while two clients saved every 20 ms). Under continuous writes, every G1 connect must see
/// the prefix reply as its first frame, and the pushes afterwards.
/// </summary>
public sealed class G1ConnectUnderWritesEndToEndTests : Akka.TestKit.Xunit2.TestKit
{
    private const int Connects = 100;
    private static readonly BinaryClientEncoder G1Encoder = new(Dialect.G1);
    private static readonly BinaryClientDecoder G1Decoder = new(Dialect.G1);

    [Fact]
    public async Task Every_G1_connect_under_continuous_writes_should_get_the_prefix_reply_as_its_first_frame()
    {
        await using var server = await TestServer.StartAsync();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 3).Select(w => WriteContinuouslyAsync(server.Uri, w, stop.Token)).ToArray();

        var firstFrames = new List<string>();
        try
        {
            for (var i = 0; i < Connects; i++)
            {
                await using var client = await RawClient.ConnectAsync(server.Uri);

                // As the original client does: the prefix request, id 0 ("A"), right after the socket opens.
                await client.SendAsync(G1Encoder.Encode(new Lock(new RequestId(MwdbBase64.EncodeInt(0)))));
                var first = G1Decoder.Decode(await client.ReceiveAsync(TimeSpan.FromSeconds(30)) ?? throw new InvalidOperationException("closed"));
                firstFrames.Add(first.GetType().Name);

                // The writes were flowing meanwhile: a push follows the reply.
                while (G1Decoder.Decode(await client.ReceiveAsync(TimeSpan.FromSeconds(30)) ?? throw new InvalidOperationException("closed")) is not ReloadPairs)
                {
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }

        Assert.All(firstFrames, name => Assert.Equal(nameof(LockResult), name));
    }

    [Fact]
    public async Task A_push_committed_before_the_prefix_request_was_read_should_come_after_its_reply()
    {
        await using var server = await TestServer.StartAsync();
        await using var writer = await ProtocolClient.ConnectAsync(server.Uri);
        for (var i = 0; i < 5; i++)
        {
            await using var client = await RawClient.ConnectAsync(server.Uri);

            // The connection is registered for pushes (the only subscription on this server)...
            await AwaitSubscriptionsAsync(server, 1);

            // ...and a put is committed before the client sends its prefix request: its push is on its way first.
            Assert.True(Assert.IsType<PutResult>(await writer.SendAsync(new Put(writer.NextId(), [new KeyValue(Encoding.UTF8.GetBytes("k" + i), Encoding.UTF8.GetBytes("v"))]))).Ok);
            await client.SendAsync(G1Encoder.Encode(new Lock(new RequestId(MwdbBase64.EncodeInt(0)))));

            Assert.IsType<LockResult>(G1Decoder.Decode(await client.ReceiveAsync(TimeSpan.FromSeconds(30)) ?? throw new InvalidOperationException("closed")));
            var push = Assert.IsType<ReloadPairs>(G1Decoder.Decode(await client.ReceiveAsync(TimeSpan.FromSeconds(30)) ?? throw new InvalidOperationException("closed")));
            Assert.Equal("k" + i, Encoding.UTF8.GetString(Assert.Single(push.Pairs).Key));

            await client.DisposeAsync();
            await AwaitSubscriptionsAsync(server, 0);
        }
    }

    private Task AwaitSubscriptionsAsync(TestServer server, int count) =>
        AwaitAssertAsync(
            async () => Assert.Equal(count, (await server.Server.Mwg.Subscriptions.Ask<SubscriptionProtocol.SubscriptionStats>(SubscriptionProtocol.GetStats.Instance, TimeSpan.FromSeconds(10))).Subscriptions),
            TimeSpan.FromSeconds(30));

    // Puts as fast as the server answers, until stopped.
    private static async Task WriteContinuouslyAsync(Uri uri, int writer, CancellationToken stop)
    {
        await using var client = await ProtocolClient.ConnectAsync(uri);
        var value = Encoding.UTF8.GetBytes("value");
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var key = Encoding.UTF8.GetBytes($"w{writer}/{n % 100}");
            Assert.True(Assert.IsType<PutResult>(await client.SendAsync(new Put(client.NextId(), [new KeyValue(key, value)]))).Ok);
        }
    }
}
