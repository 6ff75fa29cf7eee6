using System.Buffers;
using System.Net.WebSockets;
using MwgActors.Protocol;
using MwgActors.Protocol.Binary;
using MwgActors.Storage.Mwdb;

namespace MwgActors.Client.Internal;

/// <summary>
/// One websocket connection in the extended dialect: sends requests, matches replies by id, hands pushes to the
/// client on the receive loop (in frame order, one at a time), answers server pings. Knows nothing of reconnects.
/// </summary>
internal sealed class Session : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly BinaryClientEncoder _encoder = new(Dialect.Extended);
    private readonly BinaryClientDecoder _decoder;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Dictionary<RequestId, Pending> _pending = [];
    private readonly System.Threading.Lock _lock = new();
    private readonly TaskCompletionSource<WebSocketCloseStatus?> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private Action<Push> _onPush = _ => { };
    private int _nextId;
    private bool _closed;

    private Session(ClientWebSocket socket, Hello hello)
    {
        _socket = socket;
        Hello = hello;
        _decoder = new BinaryClientDecoder(Dialect.Extended, Max(hello.Limits));
    }

    public Hello Hello { get; }

    /// <summary>The subscriptions bound on this connection (receive loop only).</summary>
    public Routing Routing { get; } = new();

    /// <summary>Completes when the connection ends, with the close status the server sent (null: no close frame).</summary>
    public Task<WebSocketCloseStatus?> Ended => _ended.Task;

    public bool IsEnded => _ended.Task.IsCompleted;

    /// <summary>Opens a connection and reads the server hello. Throws <see cref="MwgClientException"/> when the
    /// server is not one we can talk to (no <c>mwg.v1</c>), else the transport's exception.</summary>
    public static async Task<Session> OpenAsync(MwgClientOptions options, Uri url, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        try
        {
            socket.Options.AddSubProtocol(Subprotocols.Extended);
            if (options.Token is { Length: > 0 } token)
            {
                socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
            }

            if (options.TrustedCaCertificate is { } ca)
            {
                socket.Options.RemoteCertificateValidationCallback = TrustValidation.For(ca);
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.ConnectTimeout);
            await socket.ConnectAsync(url, timeout.Token).ConfigureAwait(false);
            if (!string.Equals(socket.SubProtocol, Subprotocols.Extended, StringComparison.Ordinal))
            {
                throw new MwgClientException(ErrorCode.UnknownType, "the server does not speak mwg.v1", isRetryable: false);
            }

            var first = await ReceiveFrameAsync(socket, new ArrayBufferWriter<byte>(1024), ProtocolLimits.DefaultMaxFrameBytes, timeout.Token).ConfigureAwait(false)
                ?? throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely);
            if (new BinaryClientDecoder(Dialect.Extended).Decode(first) is not Hello hello)
            {
                throw new MwgClientException(ErrorCode.BadFrame, "the server did not start with a hello", isRetryable: false);
            }

            return new Session(socket, hello);
        }
        catch
        {
            socket.Abort();
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Starts the receive loop; <paramref name="onPush"/> runs on it for every push, in order.</summary>
    public void Start(Action<Push> onPush)
    {
        _onPush = onPush;
        _ = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>
    /// Sends a request and waits for its reply. <paramref name="onReplyInLoop"/> runs on the receive loop before any
    /// later frame is handled (to bind a subscription id before its notifications). Throws
    /// <see cref="SessionLostException"/> when the connection ends first.
    /// </summary>
    public async Task<Reply> SendAsync(Func<RequestId, Request> create, Action<Reply>? onReplyInLoop, CancellationToken cancellationToken)
    {
        var id = new RequestId(MwdbBase64.EncodeInt(Interlocked.Increment(ref _nextId) & int.MaxValue));
        var pending = new Pending(onReplyInLoop);
        lock (_lock)
        {
            if (_closed)
            {
                throw new SessionLostException(sent: false);
            }

            _pending[id] = pending;
        }

        try
        {
            var frame = _encoder.Encode(create(id));
            if (!await SendFrameAsync(frame, cancellationToken).ConfigureAwait(false))
            {
                throw new SessionLostException(sent: false);
            }

            return await pending.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_lock)
            {
                _pending.Remove(id);
            }
        }
    }

    /// <summary>Closes gracefully (best effort, bounded) and releases the socket.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _sendLock.WaitAsync(timeout.Token).ConfigureAwait(false);
                try
                {
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "client closed", timeout.Token).ConfigureAwait(false);
                }
                finally
                {
                    _sendLock.Release();
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Closing anyway.
            }
        }

        Abort();
    }

    /// <summary>Drops the connection at once: pending requests fail with <see cref="SessionLostException"/>.</summary>
    public void Abort()
    {
        _socket.Abort();
        End(null);
    }

    private static ProtocolLimits Max(ProtocolLimits announced) =>
        new(Math.Max(announced.MaxFrameBytes, ProtocolLimits.DefaultMaxFrameBytes), int.MaxValue / 2, int.MaxValue / 2, int.MaxValue / 2, int.MaxValue / 2);

    private async Task<bool> SendFrameAsync(byte[] frame, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (IsEnded)
            {
                return false;
            }

            // A send cancelled half way leaves the socket unusable: never cancel it; the reply wait is cancellable.
            await _socket.SendAsync(frame, WebSocketMessageType.Binary, endOfMessage: true, _stop.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            Abort();
            throw new SessionLostException(sent: true);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        try
        {
            while (await ReceiveFrameAsync(_socket, buffer, Max(Hello.Limits).MaxFrameBytes, _stop.Token).ConfigureAwait(false) is { } frame)
            {
                Handle(_decoder.Decode(frame));
            }

            End(_socket.CloseStatus);
        }
        catch (ProtocolException)
        {
            // The server sent what we cannot read: say so and drop the connection.
            await CloseQuietlyAsync(WebSocketCloseStatus.ProtocolError).ConfigureAwait(false);
            End(null);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException or MwgClientException)
        {
            End(_socket.CloseStatus);
        }
    }

    private void Handle(ProtocolMessage message)
    {
        switch (message)
        {
            case Reply reply:
                Pending? pending;
                lock (_lock)
                {
                    _pending.TryGetValue(reply.Id, out pending);
                }

                if (pending is not null)
                {
                    pending.OnReplyInLoop?.Invoke(reply);
                    pending.Completion.TrySetResult(reply);
                }

                break;
            case Ping ping:
                _ = AnswerPingAsync(ping.Id);
                break;
            case Push push:
                _onPush(push);
                break;
        }
    }

    private async Task AnswerPingAsync(RequestId id)
    {
        try
        {
            await SendFrameAsync(_encoder.Encode(new Pong(id)), CancellationToken.None).ConfigureAwait(false);
        }
        catch (SessionLostException)
        {
            // The receive loop sees the end.
        }
    }

    private async Task CloseQuietlyAsync(WebSocketCloseStatus status)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await _socket.CloseOutputAsync(status, null, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Dropped anyway.
        }
    }

    private void End(WebSocketCloseStatus? status)
    {
        List<Pending> failed;
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            failed = [.. _pending.Values];
        }

        _ended.TrySetResult(status);
        _stop.Cancel();
        foreach (var pending in failed)
        {
            pending.Completion.TrySetException(new SessionLostException(sent: true));
        }

        _socket.Dispose();
    }

    /// <summary>One whole message (frames may arrive in fragments), or null on a close.</summary>
    private static async Task<byte[]?> ReceiveFrameAsync(ClientWebSocket socket, ArrayBufferWriter<byte> buffer, int maxBytes, CancellationToken cancellationToken)
    {
        buffer.ResetWrittenCount();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.GetMemory(8 * 1024), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            buffer.Advance(result.Count);
            if (buffer.WrittenCount > maxBytes)
            {
                throw new ProtocolException(ErrorCode.FrameTooLarge, "frame too large");
            }

            if (result.EndOfMessage)
            {
                return buffer.WrittenSpan.ToArray();
            }
        }
    }

    private sealed class Pending(Action<Reply>? onReplyInLoop)
    {
        public TaskCompletionSource<Reply> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Action<Reply>? OnReplyInLoop { get; } = onReplyInLoop;
    }
}
