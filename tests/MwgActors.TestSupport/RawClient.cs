using System.Net.WebSockets;
using System.Text;

namespace MwgActors.TestSupport;

/// <summary>A plain websocket client that sends and receives whole frames, as an original client would.</summary>
public sealed class RawClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();

    public WebSocket Socket => _socket;

    /// <param name="configure">Sets options before connecting (TLS trust, request headers).</param>
    public static async Task<RawClient> ConnectAsync(Uri uri, string? subprotocol = null, Action<ClientWebSocketOptions>? configure = null)
    {
        var client = new RawClient();
        if (subprotocol is not null)
        {
            client._socket.Options.AddSubProtocol(subprotocol);
        }

        configure?.Invoke(client._socket.Options);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client._socket.ConnectAsync(uri, timeout.Token);
        return client;
    }

    public Task SendAsync(byte[] frame) =>
        _socket.SendAsync(frame, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);

    public Task SendTextAsync(string text) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    /// <summary>The next whole frame, or null when the server closed the socket.</summary>
    public async Task<byte[]?> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        using var message = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer, cts.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return message.ToArray();
            }
        }
    }

    public async Task<string?> ReceiveTextAsync(TimeSpan? timeout = null) =>
        await ReceiveAsync(timeout) is { } frame ? Encoding.UTF8.GetString(frame) : null;

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, string.Empty, cts.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // Already gone.
        }

        _socket.Dispose();
    }
}
