using System.Net.Sockets;
using System.Net.WebSockets;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// A websocket client that sends but does not read until told to. Its TCP receive buffer is set small before
/// the connect (no autotuning), so the server's outbound bound is reached after little data instead of after the
/// many megabytes a loopback socket would otherwise absorb.
/// </summary>
public sealed class StalledClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly HttpMessageInvoker _invoker;

    private StalledClient()
    {
        _invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = 8 * 1024 };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        });
    }

    public WebSocket Socket => _socket;

    public static async Task<StalledClient> ConnectAsync(Uri uri, string? subprotocol)
    {
        var client = new StalledClient();
        if (subprotocol is not null)
        {
            client._socket.Options.AddSubProtocol(subprotocol);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client._socket.ConnectAsync(uri, client._invoker, timeout.Token);
        return client;
    }

    public Task SendAsync(byte[] frame) =>
        _socket.SendAsync(frame, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);

    /// <summary>Starts reading: the next whole frame, or null once the server closed the socket (or aborted it).</summary>
    public async Task<byte[]?> ReceiveAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var message = new MemoryStream();
        var buffer = new byte[64 * 1024];
        try
        {
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
        catch (WebSocketException) when (!cts.IsCancellationRequested)
        {
            // The server cut the connection off without a close frame.
            return null;
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Abort();
        _socket.Dispose();
        _invoker.Dispose();
        return ValueTask.CompletedTask;
    }
}
