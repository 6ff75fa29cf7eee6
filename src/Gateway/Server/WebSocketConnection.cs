using System.Buffers;
using System.Net.WebSockets;
using System.Threading.Channels;
using Akka.Actor;
using MwgActors.Actors.Connections;
using static MwgActors.Actors.Connections.ConnectionProtocol;

namespace MwgActors.Gateway.Server;

/// <summary>
/// The socket side of one connection: a receive loop that reads a frame only when a request slot is free and
/// hands it to the connection actor, and a send loop that drains the bounded outbound queue. Knows no protocol.
/// It watches its actor: one that dies without having closed the socket (it threw, and its parent stopped it)
/// leaves it closed with 1011, its receive loop ended and its request slots freed.
/// </summary>
internal sealed class WebSocketConnection : IConnectionOutput, IDisposable
{
    private readonly WebSocket _socket;
    private readonly WebSocketMessageType _messageType;
    private readonly ConnectionSettings _settings;
    private readonly Channel<OutboundFrame> _outbound = Channel.CreateUnbounded<OutboundFrame>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = true });
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);

    // Receive buffers are rented per frame, in chunks of this size.
    private const int ReceiveChunkBytes = 16 * 1024;

    // Marks a frame over the size limit (compared by reference).
    private static readonly byte[] TooLarge = new byte[1];

    private readonly SemaphoreSlim _requestSlots;
    private readonly CancellationTokenSource _stop = new();
    private long _queuedBytes;
    private int _queuedFrames;

    // Set once, by the actor (Close) or by the watch when the actor died; the first code stands.
    private CloseRequest? _closeRequest;

    // Which side ended first: the socket (the peer closed, or the server stopped it) or the actor.
    private int _ended;
    private const int Running = 0;
    private const int SocketEnded = 1;
    private const int ActorDied = 2;

    // Cancelled when the actor died: a frame waiting for a request slot would wait for a release that never comes.
    private readonly CancellationTokenSource _actorGone = new();

    // The actor that asked for one OutboundDrained signal (NotifyWhenDrained), until it is sent.
    private IActorRef? _drainWaiter;

    public WebSocketConnection(WebSocket socket, bool text, ConnectionSettings settings)
    {
        _socket = socket;
        _messageType = text ? WebSocketMessageType.Text : WebSocketMessageType.Binary;
        _settings = settings;
        _requestSlots = new SemaphoreSlim(settings.MaxRequestsInFlight, settings.MaxRequestsInFlight);
    }

    /// <summary>Requests whose answer has not been queued yet.</summary>
    public int RequestsInFlight => _settings.MaxRequestsInFlight - _requestSlots.CurrentCount;

    public int QueuedFrames => Volatile.Read(ref _queuedFrames);

    public long QueuedBytes => Interlocked.Read(ref _queuedBytes);

    public bool TryEnqueue(byte[] frame, bool droppable)
    {
        if (_queuedFrames + 1 > _settings.OutboundMaxFrames || _queuedBytes + frame.Length > _settings.OutboundMaxBytes)
        {
            return false;
        }

        Interlocked.Increment(ref _queuedFrames);
        Interlocked.Add(ref _queuedBytes, frame.Length);
        if (!_outbound.Writer.TryWrite(new OutboundFrame(frame, droppable)))
        {
            // Closing: the frame is dropped, and so are the counters it took.
            Dequeued(frame);
        }

        return true;
    }

    public int DropDroppable()
    {
        // Only the connection actor writes, and it is the caller: take everything out, put the keepers back in order.
        var keep = new List<OutboundFrame>();
        var dropped = 0;
        while (_outbound.Reader.TryRead(out var queued))
        {
            if (queued.Droppable)
            {
                dropped++;
                Dequeued(queued.Frame);
            }
            else
            {
                keep.Add(queued);
            }
        }

        foreach (var queued in keep)
        {
            if (!_outbound.Writer.TryWrite(queued))
            {
                Dequeued(queued.Frame);
            }
        }

        return dropped;
    }

    public void Close(int closeCode, string reason)
    {
        Interlocked.CompareExchange(ref _closeRequest, new CloseRequest(closeCode, reason), null);
        _outbound.Writer.TryComplete();
        try
        {
            // What is queued goes out first, but a client that does not read cannot hold the socket open:
            // past this grace the send is cancelled and the socket aborted.
            _stop.CancelAfter(CloseGrace);
        }
        catch (ObjectDisposedException)
        {
            // The connection already ended.
        }
    }

    public void RequestCompleted()
    {
        // Releasing more than was taken would lift the bound; a reply to an expired request may come late.
        try
        {
            if (_requestSlots.CurrentCount < _settings.MaxRequestsInFlight)
            {
                _requestSlots.Release();
            }
        }
        catch (ObjectDisposedException)
        {
            // The socket ended while the actor still answered frames it had taken: nothing waits for the slot.
        }
    }

    public void NotifyWhenDrained(IActorRef connection)
    {
        Volatile.Write(ref _drainWaiter, connection);
        SignalIfDrained(); // already at the mark: at once
    }

    /// <summary>
    /// Runs both loops until the socket closes; the actor is told when the client's side ends, and the socket is
    /// closed when the actor dies first (<paramref name="systemStopping"/>: with 1001 rather than 1011).
    /// </summary>
    public async Task RunAsync(IActorRef connection, Func<bool> systemStopping, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        using var slotWait = CancellationTokenSource.CreateLinkedTokenSource(linked.Token, _actorGone.Token);
        using var unwatch = new CancellationTokenSource();
        var watch = WatchAsync(connection, systemStopping, unwatch.Token);
        var send = SendLoopAsync(linked.Token);
        try
        {
            await ReceiveLoopAsync(connection, linked.Token, slotWait.Token);
        }
        finally
        {
            if (Interlocked.CompareExchange(ref _ended, SocketEnded, Running) == ActorDied)
            {
                // Nobody will answer the requests in flight: their slots are free again.
                FreeRequestSlots();
            }
            else
            {
                connection.Tell(SocketClosed.Instance);
            }

            _outbound.Writer.TryComplete();
        }

        await send;
        await unwatch.CancelAsync();
        await watch;
    }

    /// <summary>Waits until no request is in flight (or the timeout), then closes with <paramref name="closeCode"/>.</summary>
    public async Task DrainAndCloseAsync(int closeCode, string reason, TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (RequestsInFlight > 0 && _socket.State == WebSocketState.Open && Environment.TickCount64 < deadline)
        {
            await Task.Delay(10);
        }

        Close(closeCode, reason);
    }

    /// <summary>Closes the socket when the actor dies without having closed it (a failure, or the system stopping).</summary>
    private async Task WatchAsync(IActorRef connection, Func<bool> systemStopping, CancellationToken cancellationToken)
    {
        try
        {
            if (!await connection.WatchAsync(cancellationToken))
            {
                return;
            }
        }
        catch (OperationCanceledException)
        {
            // The socket ended first.
            return;
        }

        // An actor that stopped because the socket ended, or after asking to close with its code, needs nothing more.
        if (Interlocked.CompareExchange(ref _ended, ActorDied, Running) != Running || Volatile.Read(ref _closeRequest) is not null)
        {
            return;
        }

        if (systemStopping())
        {
            Close((int)WebSocketCloseStatus.EndpointUnavailable, "server shutting down");
        }
        else
        {
            Close(CloseCodes.InternalError, "internal error");
        }

        await _actorGone.CancelAsync();
    }

    private void FreeRequestSlots()
    {
        var held = _settings.MaxRequestsInFlight - _requestSlots.CurrentCount;
        if (held > 0)
        {
            _requestSlots.Release(held);
        }
    }

    private async Task ReceiveLoopAsync(IActorRef connection, CancellationToken cancellationToken, CancellationToken slotWait)
    {
        try
        {
            while (_socket.State == WebSocketState.Open && Volatile.Read(ref _closeRequest) is null)
            {
                // Wait for the next frame without holding a buffer: an idle connection keeps no receive memory
                // (Kestrel does the same below us), which is most of what 10,000 idle clients would cost.
                var ready = await _socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken);
                if (ready.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                // An empty message is complete already; anything else is read now that it has arrived.
                var frame = ready.EndOfMessage ? [] : await ReceiveFrameAsync(cancellationToken);
                if (frame is null)
                {
                    return;
                }

                if (ReferenceEquals(frame, TooLarge))
                {
                    // Set the close code here: returning completes the outbound queue, and the send loop
                    // would otherwise close with 1000 before the actor had asked for 1009.
                    Close(CloseCodes.MessageTooBig, "frame too large");
                    connection.Tell(FrameTooLarge.Instance);
                    return;
                }

                if (_messageType == WebSocketMessageType.Text && ready.MessageType == WebSocketMessageType.Binary)
                {
                    // The JSON dialect is text (RFC 6455 5.6): a binary message is never decoded. RFC 6455 7.4.1 allows
                    // closing with 1003; answering BadFrame instead keeps the connection, as for any other bad frame.
                    await _requestSlots.WaitAsync(slotWait);
                    connection.Tell(FrameOfWrongType.Instance);
                    continue;
                }

                // A slot is taken once a frame is here, not while waiting for one: an idle connection has nothing
                // in flight (graceful shutdown waits for in-flight requests). At the bound this frame waits and the
                // socket is not read further.
                await _requestSlots.WaitAsync(slotWait);
                connection.Tell(new FrameReceived(frame));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // The peer went away or the server is stopping: an expected end, not an error.
        }
    }

    /// <summary>
    /// Reads one whole message into an array of its own (it travels to the actor); null when the peer closed,
    /// <see cref="TooLarge"/> when it exceeded the frame limit (read to its end without keeping it).
    /// </summary>
    private async Task<byte[]?> ReceiveFrameAsync(CancellationToken cancellationToken)
    {
        var chunk = ArrayPool<byte>.Shared.Rent(ReceiveChunkBytes);
        ArrayBufferWriter<byte>? message = null;
        try
        {
            var tooLarge = false;
            var written = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await _socket.ReceiveAsync(chunk.AsMemory(), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return null;
                }

                if (written + result.Count > _settings.Limits.MaxFrameBytes)
                {
                    tooLarge = true;
                }
                else if (!tooLarge)
                {
                    if (result.EndOfMessage && message is null)
                    {
                        // The common case: the whole frame came in one read.
                        return chunk.AsSpan(0, result.Count).ToArray();
                    }

                    // Fragments and frames larger than a chunk are gathered; rare, so allocated when needed.
                    message ??= new ArrayBufferWriter<byte>(2 * ReceiveChunkBytes);
                    message.Write(chunk.AsSpan(0, result.Count));
                }

                written += result.Count;
            }
            while (!result.EndOfMessage);

            return tooLarge ? TooLarge : message!.WrittenSpan.ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private async Task SendLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var queued in _outbound.Reader.ReadAllAsync(cancellationToken))
            {
                Dequeued(queued.Frame);
                await _socket.SendAsync(queued.Frame, _messageType, endOfMessage: true, cancellationToken);
                SignalIfDrained();
            }

            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                // Our close (with the actor's code) or the answer to the client's close.
                var (code, reason) = Volatile.Read(ref _closeRequest) ?? new CloseRequest((int)WebSocketCloseStatus.NormalClosure, string.Empty);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseOutputAsync((WebSocketCloseStatus)code, reason, timeout.Token);
                // The receive loop ends when the client answers; a client that never does is cut off.
                _stop.CancelAfter(CloseGrace);
                return;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // The socket is gone; nothing left to send to.
        }

        await _stop.CancelAsync();
    }

    public void Dispose()
    {
        _stop.Dispose();
        _actorGone.Dispose();
        _requestSlots.Dispose();
    }

    /// <summary>Tells the waiting actor, once, that the queue is down to its low-water mark.</summary>
    private void SignalIfDrained()
    {
        if (Volatile.Read(ref _drainWaiter) is not null
            && OutboundLowWater.IsReached(QueuedFrames, QueuedBytes, _settings.OutboundMaxFrames, _settings.OutboundMaxBytes)
            && Interlocked.Exchange(ref _drainWaiter, null) is { } waiter)
        {
            waiter.Tell(OutboundDrained.Instance);
        }
    }

    private void Dequeued(byte[] frame)
    {
        Interlocked.Decrement(ref _queuedFrames);
        Interlocked.Add(ref _queuedBytes, -frame.Length);
    }

    private readonly record struct OutboundFrame(byte[] Frame, bool Droppable);

    private sealed record CloseRequest(int Code, string Reason);
}
