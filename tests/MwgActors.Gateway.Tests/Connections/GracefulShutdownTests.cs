using System.Net.WebSockets;
using MwgActors.Protocol;

namespace MwgActors.Gateway.Tests;

/// <summary>Stopping the server closes open websockets with 1001 (going away), in every dialect, and keeps the data.</summary>
public sealed class GracefulShutdownTests
{
    [Fact]
    public async Task Dispose_should_close_idle_websockets_with_1001_without_waiting_for_the_shutdown_timeout()
    {
        // A shutdown timeout far above the waits below: idle connections have nothing in flight to wait for.
        await using var server = await TestServer.StartAsync("mwg.server.shutdown-timeout = 60s");
        await using var extended = await ProtocolClient.ConnectAsync(server.Uri);
        await using var json = await ProtocolClient.ConnectAsync(server.Uri, Dialect.Json);
        await using var g1 = await RawClient.ConnectAsync(server.Uri);
        Assert.IsType<Pong>(await extended.SendAsync(new Ping(extended.NextId())));
        await g1.SendAsync([0x06, 0x41]);
        Assert.NotNull(await g1.ReceiveAsync());

        var stopping = server.Server.DisposeAsync().AsTask();

        await extended.Closed.WaitAsync(TimeSpan.FromSeconds(5));
        await json.Closed.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Null(await g1.ReceiveAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, extended.CloseStatus);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, json.CloseStatus);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, g1.Socket.CloseStatus);

        // The clients answer (or drop) the close, and the server finishes stopping.
        await g1.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, CancellationToken.None);
        await extended.DisposeAsync();
        await json.DisposeAsync();
        await stopping.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0, server.Server.ConnectionCount);
    }

    [Fact]
    public async Task Dispose_should_keep_acknowledged_writes_for_the_next_start()
    {
        await using var first = await TestServer.StartAsync();
        await using (var client = await ProtocolClient.ConnectAsync(first.Uri))
        {
            Assert.True(Assert.IsType<PutResult>(await client.SendAsync(new Put(client.NextId(), [new KeyValue("k"u8.ToArray(), "v"u8.ToArray())]))).Ok);
        }

        var data = await first.StopKeepingDataAsync();
        await using var second = await TestServer.StartAsync(dataPath: data);
        await using var reader = await ProtocolClient.ConnectAsync(second.Uri);

        var read = Assert.IsType<GetResult>(await reader.SendAsync(new Get(reader.NextId(), ["k"u8.ToArray()])));
        Assert.Equal("v"u8.ToArray(), Assert.Single(read.Values));
    }
}
