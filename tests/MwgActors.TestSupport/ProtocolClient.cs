using System.Threading.Channels;
using MwgActors.Protocol;

namespace MwgActors.TestSupport;

/// <summary>
/// A test client speaking the extended binary dialect (<c>mwg.v1</c>) or JSON (<c>mwg.json.v1</c>) with the shared codec.
/// Replies are matched to requests by id; pushes (notifications, reloads, hello) queue up in <see cref="Pushes"/>.
/// </summary>
public sealed class ProtocolClient : IAsyncDisposable
{
    private readonly RawClient _raw;
    private readonly ClientCodec _codec;
    private readonly Dictionary<RequestId, TaskCompletionSource<Reply>> _pending = [];
    private readonly System.Threading.Lock _lock = new();
    private readonly Channel<Push> _pushes = Channel.CreateUnbounded<Push>();
    private readonly Task _receiveLoop;
    private int _nextId;

    private ProtocolClient(RawClient raw, Dialect dialect)
    {
        _raw = raw;
        _codec = new ClientCodec(dialect);

        _receiveLoop = Task.Run(ReceiveLoopAsync);
    }

    public ChannelReader<Push> Pushes => _pushes.Reader;

    /// <summary>The close status the server sent, once the socket is closed.</summary>
    public System.Net.WebSockets.WebSocketCloseStatus? CloseStatus => _raw.Socket.CloseStatus;

    /// <summary>The reason the server gave with its close, once the socket is closed.</summary>
    public string? CloseReason => _raw.Socket.CloseStatusDescription;

    public static async Task<ProtocolClient> ConnectAsync(Uri uri, Dialect dialect = Dialect.Extended, Action<System.Net.WebSockets.ClientWebSocketOptions>? configure = null)
    {
        var subprotocol = dialect switch
        {
            Dialect.Json => Subprotocols.Json,
            Dialect.Extended => Subprotocols.Extended,
            _ => null,
        };
        var raw = await RawClient.ConnectAsync(uri, subprotocol, configure);
        var client = new ProtocolClient(raw, dialect);
        if (dialect != Dialect.G1)
        {
            // Extended dialects start with the server hello.
            if (await client.NextPushAsync() is not Hello)
            {
                throw new InvalidOperationException("the server did not start with its hello");
            }
        }

        return client;
    }

    /// <summary>A fresh request id in the connection's dialect.</summary>
    public RequestId NextId(ValueEncoding encoding = ValueEncoding.Utf8)
    {
        var n = Interlocked.Increment(ref _nextId);
        return _codec.NewRequestId(n, encoding);
    }

    /// <summary>Sends a request and waits for its reply.</summary>
    public async Task<Reply> SendAsync(Request request, TimeSpan? timeout = null)
    {
        var completion = new TaskCompletionSource<Reply>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            _pending[request.Id] = completion;
        }

        await SendOnlyAsync(request);
        return await completion.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(15));
    }

    /// <summary>Sends without waiting for the reply (it will still complete a later <see cref="SendAsync"/> of the same id, if any).</summary>
    public Task SendOnlyAsync(Request request)
    {
        var frame = _codec.Encode(request);
        return _codec.IsText ? _raw.SendTextAsync(System.Text.Encoding.UTF8.GetString(frame)) : _raw.SendAsync(frame);
    }

    public Task SendRawAsync(byte[] frame) => _raw.SendAsync(frame);

    public Task SendRawTextAsync(string text) => _raw.SendTextAsync(text);

    public async Task<Push> NextPushAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        return await _pushes.Reader.ReadAsync(cts.Token);
    }

    /// <summary>Waits for the next push of type <typeparamref name="T"/>, skipping others.</summary>
    public async Task<T> NextPushAsync<T>(TimeSpan? timeout = null)
        where T : Push
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            if (await _pushes.Reader.ReadAsync(cts.Token) is T push)
            {
                return push;
            }
        }
    }

    /// <summary>Completes when the server closes the socket.</summary>
    public Task Closed => _receiveLoop;

    public async ValueTask DisposeAsync()
    {
        await _raw.DisposeAsync();
        await _receiveLoop.ContinueWith(_ => { }, TaskScheduler.Default);
        _codec.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        try
        {
            while (await _raw.ReceiveAsync(Timeout.InfiniteTimeSpan) is { } frame)
            {
                var message = _codec.Decode(frame);
                switch (message)
                {
                    case Reply reply:
                        TaskCompletionSource<Reply>? completion;
                        lock (_lock)
                        {
                            _pending.Remove(reply.Id, out completion);
                        }

                        completion?.TrySetResult(reply);
                        break;
                    case Push push:
                        _pushes.Writer.TryWrite(push);
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Closed.
        }
        finally
        {
            _pushes.Writer.TryComplete();
        }
    }
}
