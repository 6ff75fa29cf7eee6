using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using MwgActors.Protocol;
using MwgActors.Protocol.Binary;
using MwgActors.Storage.Mwdb;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// A client that stops reading fills its bounded outbound queue and gets the configured treatment
/// (mwg.connection.outbound-overflow), while well-behaved clients keep their round trips short.
/// </summary>
public sealed class OverloadEndToEndTests : Akka.TestKit.Xunit2.TestKit
{
    // Small bounds so the overflow comes after little data; the stalled client's socket buffer is small too.
    private const string Bounds = """
        mwg.connection.outbound-max-bytes = 256k
        mwg.connection.outbound-max-frames = 64
        """;

    private const int ValueBytes = 64 * 1024;
    private const int Puts = 120;

    // A behaviour check, not a benchmark: generous, yet far below "stuck behind the slow client".
    private static readonly TimeSpan LatencyBound = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Stalled_subscriber_with_policy_reload_should_find_ReloadAll_when_it_reads_again_while_others_keep_their_latency()
    {
        await using var server = await TestServer.StartAsync(Bounds + "\nmwg.connection.outbound-overflow = reload");
        await using var stalled = await StalledClient.ConnectAsync(server.Uri, Subprotocols.Extended);
        var encoder = new BinaryClientEncoder(Dialect.Extended);
        await stalled.SendAsync(encoder.Encode(new Subscribe(Id(1), [[]], null, IncludeValues: true)));

        var worst = await OverloadAsync(server);
        Assert.True(worst < LatencyBound, $"a well-behaved client waited {worst} for a reply");

        // It starts reading: what the socket buffers held, then the reload signal for its subscription.
        var decoder = new BinaryClientDecoder(Dialect.Extended);
        long? subscriptionId = null;
        ReloadAll? reload = null;
        while (reload is null && await stalled.ReceiveAsync(TimeSpan.FromSeconds(3)) is { } frame)
        {
            switch (decoder.Decode(frame))
            {
                case Subscribed subscribed:
                    subscriptionId = subscribed.SubscriptionId;
                    break;
                case ReloadAll all:
                    reload = all;
                    break;
            }
        }

        if (reload is null)
        {
            // The other documented outcome: not even the reload signal fitted, so it was closed.
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, stalled.Socket.CloseStatus);
            return;
        }

        Assert.Equal(subscriptionId, reload.SubscriptionId);

        // Reloaded, not dropped: the connection still answers.
        await stalled.SendAsync(encoder.Encode(new Ping(Id(2))));
        while (await stalled.ReceiveAsync(TimeSpan.FromSeconds(3)) is { } frame)
        {
            if (decoder.Decode(frame) is Pong pong)
            {
                Assert.Equal(Id(2), pong.Id);
                return;
            }
        }

        Assert.Fail("no pong after the reload");
    }

    [Fact]
    public async Task Stalled_subscriber_with_policy_close_should_be_closed_with_1008_while_others_keep_their_latency()
    {
        await using var server = await TestServer.StartAsync(Bounds + "\nmwg.connection.outbound-overflow = close");
        await using var stalled = await StalledClient.ConnectAsync(server.Uri, Subprotocols.Extended);
        await stalled.SendAsync(new BinaryClientEncoder(Dialect.Extended).Encode(new Subscribe(Id(1), [[]], null, IncludeValues: true)));

        var worst = await OverloadAsync(server);
        Assert.True(worst < LatencyBound, $"a well-behaved client waited {worst} for a reply");

        await AssertClosedWithPolicyViolationAsync(stalled);
    }

    [Fact]
    public async Task Stalled_original_g1_client_should_be_closed_with_1008_since_it_cannot_receive_a_reload()
    {
        await using var server = await TestServer.StartAsync(Bounds + "\nmwg.connection.outbound-overflow = reload");
        // G1 clients get every put as a type 5 push (g1-push-puts is on by default); it never reads them.
        await using var stalled = await StalledClient.ConnectAsync(server.Uri, subprotocol: null);

        var worst = await OverloadAsync(server);
        Assert.True(worst < LatencyBound, $"a well-behaved client waited {worst} for a reply");

        await AssertClosedWithPolicyViolationAsync(stalled);
    }

    [Fact]
    public async Task Subscriber_that_never_reads_again_should_be_dropped_by_the_keep_alive()
    {
        await using var server = await TestServer.StartAsync(Bounds + """

            mwg.connection.outbound-overflow = close
            mwg.connection.keep-alive-interval = 1s
            """);
        await using var stalled = await StalledClient.ConnectAsync(server.Uri, Subprotocols.Extended);
        await stalled.SendAsync(new BinaryClientEncoder(Dialect.Extended).Encode(new Subscribe(Id(1), [[]], null, IncludeValues: true)));

        await OverloadAsync(server);

        // Its close frame cannot get past the data it does not read; the unanswered keep-alive ends the socket.
        await AwaitAssertAsync(() => Assert.Equal(0, server.Server.ConnectionCount), TimeSpan.FromSeconds(6), TimeSpan.FromMilliseconds(100));
    }

    /// <summary>
    /// Writes enough large values to overflow a stalled reader many times over, while a second client pings.
    /// Returns the longest round trip either well-behaved client saw.
    /// </summary>
    private static async Task<TimeSpan> OverloadAsync(TestServer server)
    {
        await using var writer = await ProtocolClient.ConnectAsync(server.Uri);
        await using var watcher = await ProtocolClient.ConnectAsync(server.Uri);
        var value = new byte[ValueBytes];
        Array.Fill(value, (byte)'x');

        using var done = new CancellationTokenSource();
        var pings = Task.Run(async () =>
        {
            var worstPing = TimeSpan.Zero;
            var count = 0;
            using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
            while (!done.IsCancellationRequested)
            {
                var watch = Stopwatch.StartNew();
                Assert.IsType<Pong>(await watcher.SendAsync(new Ping(watcher.NextId())));
                worstPing = Max(worstPing, watch.Elapsed);
                count++;
                await pace.WaitForNextTickAsync(CancellationToken.None);
            }

            return (worstPing, count);
        });

        var worstPut = TimeSpan.Zero;
        for (var i = 0; i < Puts; i++)
        {
            var watch = Stopwatch.StartNew();
            var put = Assert.IsType<PutResult>(await writer.SendAsync(new Put(writer.NextId(), [new KeyValue(Encoding.UTF8.GetBytes("big:" + i), value)])));
            Assert.True(put.Ok);
            worstPut = Max(worstPut, watch.Elapsed);
        }

        await done.CancelAsync();
        var (worst, pingCount) = await pings;
        Assert.True(pingCount > 0, "the watcher never pinged during the overload");
        return Max(worst, worstPut);
    }

    private static async Task AssertClosedWithPolicyViolationAsync(StalledClient stalled)
    {
        // It starts reading: whatever was queued before the overflow, then the close.
        while (await stalled.ReceiveAsync(TimeSpan.FromSeconds(3)) is not null)
        {
        }

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, stalled.Socket.CloseStatus);
    }

    private static RequestId Id(int n) => new(MwdbBase64.EncodeInt(n));

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
