using System.Buffers;
using System.Net.WebSockets;
using System.Threading.Channels;
using MwgActors.Protocol;

namespace MwgActors.LoadGen;

/// <summary>
/// One websocket to the server speaking <c>mwg.v1</c> or <c>mwg.json.v1</c> with the shared codec. Replies
/// complete the request with the same id; pushes (notifications) are stamped on receipt and queued.
/// </summary>
internal sealed class LoadConnection : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly ClientCodec _codec;
    private readonly Dictionary<RequestId, TaskCompletionSource<Reply>> _pending = [];
    private readonly System.Threading.Lock _lock = new();
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly Channel<(Push Push, long ReceivedAt)> _pushes = Channel.CreateUnbounded<(Push, long)>();
    private readonly Task _receiveLoop;
    private int _nextId;
    private bool _closed;
    private int _disposed;

    private LoadConnection(ClientWebSocket socket, Dialect dialect)
    {
        _socket = socket;
        _codec = new ClientCodec(dialect);

        _receiveLoop = Task.Run(ReceiveLoopAsync);
    }

    public ChannelReader<(Push Push, long ReceivedAt)> Pushes => _pushes.Reader;

    /// <summary>Connects and waits for the server hello, the first frame of the extended dialects.</summary>
    public static async Task<LoadConnection> ConnectAsync(Uri url, Dialect dialect, CancellationToken cancellation)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(dialect == Dialect.Json ? Subprotocols.Json : Subprotocols.Extended);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await socket.ConnectAsync(url, timeout.Token);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var connection = new LoadConnection(socket, dialect);
        var (hello, _) = await connection._pushes.Reader.ReadAsync(timeout.Token);
        if (hello is not Hello)
        {
            await connection.DisposeAsync();
            throw new InvalidOperationException("the server's first frame was not a hello");
        }

        return connection;
    }

    public RequestId NextId()
    {
        var n = Interlocked.Increment(ref _nextId);
        // JSON asks for base64 values: whatever bytes the store holds come back representable.
        return _codec.NewRequestId(n, ValueEncoding.Base64);
    }

    /// <summary>Sends a request and waits for the reply with its id.</summary>
    public async Task<Reply> SendAsync(Request request, CancellationToken cancellation)
    {
        var completion = new TaskCompletionSource<Reply>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_closed)
            {
                throw new WebSocketException("the connection closed");
            }

            _pending[request.Id] = completion;
        }

        await _sendGate.WaitAsync(cancellation);
        try
        {
            // Encoding throws for a request the dialect cannot carry; the send is then never made.
            var frame = _codec.Encode(request);
            await _socket.SendAsync(frame, _codec.IsText ? WebSocketMessageType.Text : WebSocketMessageType.Binary, endOfMessage: true, cancellation);
        }
        catch
        {
            lock (_lock)
            {
                _pending.Remove(request.Id);
            }

            throw;
        }
        finally
        {
            _sendGate.Release();
        }

        return await completion.Task.WaitAsync(cancellation);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, timeout.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // Already gone.
        }

        _socket.Abort();
        await _receiveLoop.ContinueWith(_ => { }, TaskScheduler.Default);
        _socket.Dispose();
        _sendGate.Dispose();
        _codec.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        var message = new ArrayBufferWriter<byte>(64 * 1024);
        try
        {
            while (true)
            {
                message.ResetWrittenCount();
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(message.GetMemory(16 * 1024), CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    message.Advance(result.Count);
                }
                while (!result.EndOfMessage);

                var receivedAt = System.Diagnostics.Stopwatch.GetTimestamp();
                var decoded = _codec.Decode(message.WrittenSpan);
                switch (decoded)
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
                        _pushes.Writer.TryWrite((push, receivedAt));
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or ProtocolException)
        {
            // Closed or garbled: pending requests fail below.
        }
        finally
        {
            _pushes.Writer.TryComplete();
            lock (_lock)
            {
                _closed = true;
                foreach (var completion in _pending.Values)
                {
                    completion.TrySetException(new WebSocketException("the connection closed"));
                }

                _pending.Clear();
            }
        }
    }
}
