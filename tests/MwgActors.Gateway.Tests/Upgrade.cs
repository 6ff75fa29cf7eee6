using System.Net;
using System.Net.WebSockets;
using MwgActors.Protocol;

namespace MwgActors.Gateway.Tests;

/// <summary>Websocket upgrades expected to be refused: the HTTP status the server answered instead of 101.</summary>
public static class Upgrade
{
    public static async Task<HttpStatusCode> StatusAsync(Uri uri, Action<ClientWebSocketOptions>? configure = null)
    {
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(Subprotocols.Extended);
        socket.Options.CollectHttpResponseDetails = true;
        configure?.Invoke(socket.Options);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(uri, timeout.Token));
        return socket.HttpStatusCode;
    }
}
