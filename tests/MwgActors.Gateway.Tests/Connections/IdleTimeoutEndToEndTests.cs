using System.Net.WebSockets;
using MwgActors.Protocol;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// mwg.connection.idle-timeout: an extended or JSON connection that sends nothing for that long is closed with 1001
/// "idle timeout"; one that keeps sending is not, and original G1 clients (silent when idle by design) never are.
/// Each "not closed" is checked once a silent connection opened after it has been closed, so it was idle (or busy)
/// for longer than the timeout, without sleeping a guessed time.
/// </summary>
public sealed class IdleTimeoutEndToEndTests
{
    private const string OneSecondIdleTimeout = "mwg.connection.idle-timeout = 1s";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData(Dialect.Extended)]
    [InlineData(Dialect.Json)]
    public async Task A_connection_that_sends_nothing_should_be_closed_with_1001_idle_timeout(Dialect dialect)
    {
        await using var server = await TestServer.StartAsync(OneSecondIdleTimeout);
        await using var silent = await ProtocolClient.ConnectAsync(server.Uri, dialect);

        await silent.Closed.WaitAsync(Bound);

        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, silent.CloseStatus);
        Assert.Equal("idle timeout", silent.CloseReason);
    }

    [Fact]
    public async Task A_connection_that_keeps_sending_should_stay_open_past_the_idle_timeout()
    {
        await using var server = await TestServer.StartAsync(OneSecondIdleTimeout);
        await using var busy = await ProtocolClient.ConnectAsync(server.Uri);
        await using var silent = await ProtocolClient.ConnectAsync(server.Uri);

        // A ping every 200 ms, until the silent connection (opened later) has been closed for idling.
        while (!silent.Closed.IsCompleted)
        {
            Assert.IsType<Pong>(await busy.SendAsync(new Ping(busy.NextId())));
            await Task.WhenAny(silent.Closed, Task.Delay(TimeSpan.FromMilliseconds(200))).WaitAsync(Bound);
        }

        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, silent.CloseStatus);
        Assert.IsType<Pong>(await busy.SendAsync(new Ping(busy.NextId())));
        Assert.Null(busy.CloseStatus);
    }

    [Fact]
    public async Task An_original_G1_connection_should_not_be_closed_for_idling()
    {
        await using var server = await TestServer.StartAsync(OneSecondIdleTimeout);
        await using var g1 = await RawClient.ConnectAsync(server.Uri);
        await using var silent = await ProtocolClient.ConnectAsync(server.Uri);

        await silent.Closed.WaitAsync(Bound);

        // The G1 client was silent for longer than the extended one that was closed, and still gets an answer.
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, silent.CloseStatus);
        await g1.SendAsync([0x06, 0x41]);
        Assert.NotNull(await g1.ReceiveAsync(Bound));
        Assert.Equal(WebSocketState.Open, g1.Socket.State);
    }
}
