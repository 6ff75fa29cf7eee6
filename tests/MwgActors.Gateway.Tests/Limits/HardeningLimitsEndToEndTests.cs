using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Akka.Actor;
using MwgActors.Protocol;
using Warning = Akka.Event.Warning;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// Abuse limits over real sockets: maximum connections (503 before the upgrade), the handshake timeout (a TCP
/// connection that never upgrades is dropped), requests per second per connection (RateLimited, or delay for
/// G1), each exceeded limit logged once per connection.
/// </summary>
public sealed class HardeningLimitsEndToEndTests : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task Upgrade_over_max_connections_should_be_refused_with_503_until_one_closes()
    {
        await using var server = await TestServer.StartAsync("mwg.server.max-connections = 2");
        await using var first = await ProtocolClient.ConnectAsync(server.Uri);
        await using (var second = await ProtocolClient.ConnectAsync(server.Uri))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await Upgrade.StatusAsync(server.Uri));
            Assert.IsType<Pong>(await first.SendAsync(new Ping(first.NextId())));
        }

        await AwaitAssertAsync(() => Assert.Equal(1, server.Server.ConnectionCount), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(50));
        await using var third = await ProtocolClient.ConnectAsync(server.Uri, Dialect.Json);
        Assert.IsType<Pong>(await third.SendAsync(new Ping(third.NextId())));
    }

    [Fact]
    public async Task Tcp_connection_that_never_upgrades_should_be_dropped_after_the_handshake_timeout()
    {
        await using var server = await TestServer.StartAsync("mwg.server.handshake-timeout = 1s");
        await using var websocket = await ProtocolClient.ConnectAsync(server.Uri);
        using var silent = new TcpClient();
        await silent.ConnectAsync(IPAddress.Loopback, server.Server.Port);
        var started = Stopwatch.StartNew();

        // The server ends the connection: end of stream, or a reset.
        var buffer = new byte[16];
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            Assert.Equal(0, await silent.GetStream().ReadAsync(buffer, bound.Token));
        }
        catch (IOException)
        {
        }

        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(8));

        // An upgraded websocket is not held to the handshake timeout: it has been open longer and still answers.
        Assert.IsType<Pong>(await websocket.SendAsync(new Ping(websocket.NextId())));
    }

    [Theory]
    [InlineData(Dialect.Extended)]
    [InlineData(Dialect.Json)]
    public async Task Requests_over_the_rate_should_be_answered_RateLimited_and_logged_once(Dialect dialect)
    {
        await using var server = await TestServer.StartAsync("""
            mwg.connection.max-requests-per-second = 1
            mwg.connection.max-requests-burst = 3
            """);
        var warnings = WatchWarnings(server);
        await using var client = await ProtocolClient.ConnectAsync(server.Uri, dialect);

        var replies = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.SendAsync(new Ping(client.NextId()))));

        // 3 from the burst, maybe 1 more refilled while they went; the others are refused, retryably.
        var refused = replies.OfType<Error>().ToArray();
        Assert.InRange(replies.OfType<Pong>().Count(), 3, 4);
        Assert.Equal(replies.Length, replies.OfType<Pong>().Count() + refused.Length);
        Assert.All(refused, e => Assert.Equal(ErrorCode.RateLimited, e.Code));
        Assert.True(ErrorCode.RateLimited.IsRetryable());

        var logged = await WarningsSoFarAsync(warnings);
        Assert.Single(logged, w => w.Contains("max-requests-per-second", StringComparison.Ordinal));
    }

    [Fact]
    public async Task G1_requests_over_the_rate_should_be_delayed_not_refused()
    {
        await using var server = await TestServer.StartAsync("""
            mwg.connection.max-requests-per-second = 10
            mwg.connection.max-requests-burst = 1
            mwg.connection.g1-push-puts = off
            """);
        await using var client = await ProtocolClient.ConnectAsync(server.Uri, Dialect.G1);
        var key = Encoding.UTF8.GetBytes("rate/g1");
        var started = Stopwatch.StartNew();

        var replies = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => client.SendAsync(new Get(client.NextId(), [key]))));

        // One from the burst, five more at 10 per second: about half a second, every request answered.
        Assert.All(replies, r => Assert.IsType<GetResult>(r));
        Assert.True(started.Elapsed >= TimeSpan.FromMilliseconds(400), $"six requests took only {started.Elapsed}");
    }

    [Fact]
    public async Task Each_exceeded_codec_limit_should_be_logged_once_per_connection()
    {
        await using var server = await TestServer.StartAsync("""
            mwg.protocol.max-keys-per-batch = 2
            mwg.protocol.max-subscriptions-per-connection = 1
            """);
        var warnings = WatchWarnings(server);
        await using var client = await ProtocolClient.ConnectAsync(server.Uri);
        byte[][] three = [[1], [2], [3]];

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(ErrorCode.TooManyKeys, Assert.IsType<Error>(await client.SendAsync(new Get(client.NextId(), three))).Code);
        }

        Assert.IsType<Subscribed>(await client.SendAsync(new Subscribe(client.NextId(), [[1]], null, false)));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(ErrorCode.TooManySubscriptions, Assert.IsType<Error>(await client.SendAsync(new Subscribe(client.NextId(), [[2]], null, false))).Code);
        }

        var logged = await WarningsSoFarAsync(warnings);
        Assert.Single(logged, w => w.Contains("max-keys-per-batch", StringComparison.Ordinal));
        Assert.Single(logged, w => w.Contains("max-subscriptions-per-connection", StringComparison.Ordinal));
    }

    /// <summary>Collects the server's warning log lines from now on.</summary>
    private static (IActorRef Collector, Channel<string> Lines) WatchWarnings(TestServer server)
    {
        var lines = Channel.CreateUnbounded<string>();
        var collector = server.Server.System.ActorOf(Props.Create(() => new WarningCollector(lines.Writer)));
        server.Server.System.EventStream.Subscribe(collector, typeof(Warning));
        return (collector, lines);
    }

    /// <summary>
    /// The warnings published so far: a marker told after them comes out after them (one mailbox, in order).
    /// </summary>
    private static async Task<List<string>> WarningsSoFarAsync((IActorRef Collector, Channel<string> Lines) watch)
    {
        watch.Collector.Tell(WarningCollector.Marker);
        var lines = new List<string>();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (await watch.Lines.Reader.ReadAsync(bound.Token) is var line && line != WarningCollector.Marker)
        {
            lines.Add(line);
        }

        return lines;
    }

    private sealed class WarningCollector : ReceiveActor
    {
        public const string Marker = "--marker--";

        public WarningCollector(ChannelWriter<string> lines)
        {
            Receive<Warning>(w => lines.TryWrite(w.Message?.ToString() ?? string.Empty));
            Receive<string>(marker => lines.TryWrite(marker));
        }
    }
}
