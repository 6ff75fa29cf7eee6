using System.Net;
using System.Net.WebSockets;
using System.Text;
using MwgActors.Actors.Auth;
using MwgActors.Protocol;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// Issue 14, finding 3: sockets without a token cannot lock out clients with one. Connections not yet authenticated
/// have a cap of their own (mwg.server.max-unauthenticated-connections) inside max-connections, and a deadline to
/// authenticate (mwg.connection.authenticate-timeout) that heartbeats and pings do not extend.
/// </summary>
public sealed class UnauthenticatedConnectionsEndToEndTests
{
    private const string Secret = "unauth-e2e-secret-0123456789abcdef-0123";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Token_less_sockets_holding_heartbeats_should_not_lock_out_a_client_with_a_token_and_should_be_closed_at_the_deadline()
    {
        await using var server = await TestServer.StartAsync(Config(maxConnections: 50, maxUnauthenticated: 10, authenticateTimeout: "15s"));
        using var heartbeats = new CancellationTokenSource();
        var tokenLess = new List<HeartbeatClient>();
        var refused = new List<HttpStatusCode>();
        try
        {
            // More than max-connections: before the fix all 50 were admitted and held forever. (The deadline is long
            // enough that none of these is closed, freeing its place, while the loop still runs on a slow machine.)
            for (var i = 0; i < 60; i++)
            {
                var (client, status) = await HeartbeatClient.TryConnectAsync(server.Uri, Subprotocols.Json, heartbeats.Token);
                if (client is null)
                {
                    refused.Add(status);
                }
                else
                {
                    tokenLess.Add(client);
                }
            }

            // A client with a valid token still gets in and round-trips (before the fix: 503).
            await using (var client = await ProtocolClient.ConnectAsync(server.Uri, Dialect.Extended, o => o.SetRequestHeader("Authorization", "Bearer " + Mint())))
            {
                Assert.IsType<PutResult>(await client.SendAsync(new Put(client.NextId(), [new KeyValue(Utf8("doc/1"), Utf8("v"))])));
                var read = Assert.IsType<GetResult>(await client.SendAsync(new Get(client.NextId(), [Utf8("doc/1")])));
                Assert.Equal("v", Encoding.UTF8.GetString(Assert.Single(read.Values)!));
            }

            // Only the unauthenticated cap was admitted without a token; the rest were refused before the upgrade.
            Assert.Equal(10, tokenLess.Count);
            Assert.All(refused, status => Assert.Equal(HttpStatusCode.ServiceUnavailable, status));

            // The token-less ones are closed with 1008 at the deadline, though they kept sending heartbeats.
            foreach (var client in tokenLess)
            {
                Assert.Equal(WebSocketCloseStatus.PolicyViolation, await client.Closed.WaitAsync(Bound));
                Assert.True(client.Heartbeats > 0);
            }
        }
        finally
        {
            await heartbeats.CancelAsync();
            foreach (var client in tokenLess)
            {
                client.Dispose();
            }
        }
    }

    [Fact]
    public async Task In_band_auth_should_free_the_unauthenticated_slot_and_lift_the_deadline()
    {
        await using var server = await TestServer.StartAsync(Config(maxConnections: 50, maxUnauthenticated: 2, authenticateTimeout: "8s"));
        await using var first = await ProtocolClient.ConnectAsync(server.Uri, Dialect.Json);
        await using var second = await ProtocolClient.ConnectAsync(server.Uri, Dialect.Extended);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await Upgrade.StatusAsync(server.Uri));

        Assert.IsType<AuthResult>(await first.SendAsync(new Auth(first.NextId(), Mint())));
        Assert.IsType<AuthResult>(await second.SendAsync(new Auth(second.NextId(), Mint())));

        // Both slots are free again: a new token-less socket gets in, and is closed at its deadline...
        await using var late = await ProtocolClient.ConnectAsync(server.Uri, Dialect.Json);
        await late.Closed.WaitAsync(Bound);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, late.CloseStatus);

        // ...while the authenticated ones, older than that deadline, are still served.
        Assert.IsType<Pong>(await first.SendAsync(new Ping(first.NextId())));
        Assert.IsType<Pong>(await second.SendAsync(new Ping(second.NextId())));
    }

    [Fact]
    public async Task Extended_dialect_should_connect_without_a_token_and_authenticate_in_band()
    {
        await using var server = await TestServer.StartAsync(Config(maxConnections: 50, maxUnauthenticated: 10, authenticateTimeout: "10s"));
        await using var client = await ProtocolClient.ConnectAsync(server.Uri, Dialect.Extended);

        var refused = Assert.IsType<Error>(await client.SendAsync(new Get(client.NextId(), [Utf8("doc/1")])));
        Assert.Equal(ErrorCode.Unauthorized, refused.Code);
        Assert.Equal("reader", Assert.IsType<AuthResult>(await client.SendAsync(new Auth(client.NextId(), Mint()))).Subject);
        Assert.IsType<GetResult>(await client.SendAsync(new Get(client.NextId(), [Utf8("doc/1")])));
    }

    private static string Config(int maxConnections, int maxUnauthenticated, string authenticateTimeout) => $$"""
        mwg.auth { enabled = on, jwt-secret = "{{Secret}}" }
        mwg.server.max-connections = {{maxConnections}}
        mwg.server.max-unauthenticated-connections = {{maxUnauthenticated}}
        mwg.connection.authenticate-timeout = {{authenticateTimeout}}
        """;

    private static string Mint()
    {
        var now = DateTimeOffset.UtcNow;
        var grants = new Dictionary<Right, IReadOnlyList<string>> { [Right.Read] = ["doc/"], [Right.Write] = ["doc/"] };
        return JwtTokens.Mint(Encoding.UTF8.GetBytes(Secret), "reader", grants, now, now.AddHours(1));
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>A token-less JSON socket that sends the application heartbeat <c>{"p":1}</c> until it is closed.</summary>
    private sealed class HeartbeatClient : IDisposable
    {
        private static readonly byte[] Heartbeat = """{"p":1}"""u8.ToArray();
        private readonly ClientWebSocket _socket;
        private int _heartbeats;

        private HeartbeatClient(ClientWebSocket socket, CancellationToken stop)
        {
            _socket = socket;
            Closed = ReadUntilClosedAsync(stop);
            _ = BeatAsync(stop);
        }

        /// <summary>The close status the server sent.</summary>
        public Task<WebSocketCloseStatus?> Closed { get; }

        /// <summary>Heartbeats answered by the server.</summary>
        public int Heartbeats => Volatile.Read(ref _heartbeats);

        public static async Task<(HeartbeatClient? Client, HttpStatusCode Status)> TryConnectAsync(Uri uri, string subprotocol, CancellationToken stop)
        {
            var socket = new ClientWebSocket();
            socket.Options.AddSubProtocol(subprotocol);
            socket.Options.CollectHttpResponseDetails = true;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await socket.ConnectAsync(uri, timeout.Token);
                return (new HeartbeatClient(socket, stop), socket.HttpStatusCode);
            }
            catch (WebSocketException)
            {
                var status = socket.HttpStatusCode;
                socket.Dispose();
                return (null, status);
            }
        }

        public void Dispose() => _socket.Dispose();

        private async Task<WebSocketCloseStatus?> ReadUntilClosedAsync(CancellationToken stop)
        {
            var buffer = new byte[4096];
            try
            {
                while (true)
                {
                    var result = await _socket.ReceiveAsync(buffer, stop);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return _socket.CloseStatus;
                    }

                    if (result.EndOfMessage && buffer.AsSpan(0, result.Count).SequenceEqual("""{"p":2}"""u8))
                    {
                        Interlocked.Increment(ref _heartbeats);
                    }
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                return _socket.CloseStatus;
            }
        }

        private async Task BeatAsync(CancellationToken stop)
        {
            try
            {
                while (!Closed.IsCompleted && _socket.State == WebSocketState.Open)
                {
                    await _socket.SendAsync(Heartbeat, WebSocketMessageType.Text, endOfMessage: true, stop);

                    // The pace of a client's heartbeat; nothing waits on it.
                    await Task.Delay(TimeSpan.FromMilliseconds(200), stop);
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
                // Closed by the server or by the test.
            }
        }
    }
}
