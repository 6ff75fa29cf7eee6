using System.Net;
using System.Net.WebSockets;
using MwgActors.Protocol;

namespace MwgActors.Gateway.Tests;

/// <summary>Websocket upgrades expected to be refused: the HTTP status the server answered instead of 101.</summary>
public static class Upgrade
{
    /// <param name="subprotocol">The dialect asked for; null = the original G1 dialect (no subprotocol).</param>
    public static async Task<HttpStatusCode> StatusAsync(Uri uri, Action<ClientWebSocketOptions>? configure = null, string? subprotocol = Subprotocols.Extended)
    {
        using var socket = new ClientWebSocket();
        if (subprotocol is not null)
        {
            socket.Options.AddSubProtocol(subprotocol);
        }

        socket.Options.CollectHttpResponseDetails = true;
        configure?.Invoke(socket.Options);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(uri, timeout.Token));
        return socket.HttpStatusCode;
    }
}
