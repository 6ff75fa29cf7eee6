using System.Runtime.CompilerServices;
using System.Threading.Channels;
using MwgActors.Client.Internal;
using MwgActors.Protocol;

namespace MwgActors.Client;

/// <summary>
/// A client of the extended binary dialect (<c>mwg.v1</c>). Thread-safe. Reconnects by itself with exponential
/// backoff and jitter; on reconnect it reclaims its prefix lease, resumes every subscription from the last revision
/// it delivered, and drains the offline queue before it reports <see cref="ConnectionState.Connected"/>.
/// See docs/client.md for the guarantees.
/// </summary>
public sealed partial class MwgClient : IAsyncDisposable
{
    private readonly MwgClientOptions _options;
    private readonly System.Threading.Lock _lock = new();
    private readonly SemaphoreSlim _inFlight;
    private readonly SemaphoreSlim _leaseGate = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private readonly List<ClientSubscription> _subscriptions = [];
    private readonly OfflineQueue? _queue;
    private readonly ReadCache? _cache;
    private ConnectionState _state = ConnectionState.Connecting;
    private Session? _current; // the open connection, restoring or live
    private Session? _live; // set once restored: requests go here
    private TaskCompletionSource<Session> _connected = NewConnectedSignal();
    private MwgClientException? _closedReason;
    private PrefixLease? _lease;
    private long _lastSeenRevision;
    private ProtocolLimits _serverLimits = ProtocolLimits.Default;
    private Task _runLoop = Task.CompletedTask;
    private int _disposed;

    private MwgClient(MwgClientOptions options)
    {
        _options = options.Validate();
        _inFlight = new SemaphoreSlim(options.MaxRequestsInFlight, options.MaxRequestsInFlight);
        if (options.OfflineQueue.Enabled)
        {
            _queue = new OfflineQueue(options.OfflineQueue);
        }

        if (options.Cache.Enabled)
        {
            _cache = new ReadCache(options.Cache.MaxEntries);
            // Invalidate-only subscription to every key: the cache holds what was read, changes drop it.
            var watch = new ClientSubscription([[]], new SubscribeOptions(), _ => ValueTask.CompletedTask, buffered: false);
            watch.EventReceived += OnCacheEvent;
            _subscriptions.Add(watch);
            CacheWatch = watch;
        }
    }

    /// <summary>Connects, waiting for the first connection up to <see cref="MwgClientOptions.ConnectTimeout"/>
    /// (reconnect attempts included), and returns the client. Throws <see cref="MwgClientException"/> when it cannot.</summary>
    public static async Task<MwgClient> ConnectAsync(MwgClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var client = Start(options);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.ConnectTimeout);
            try
            {
                await client.WaitUntilConnectedAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new MwgClientException(ErrorCode.Unavailable, "could not connect to the server within the connect timeout");
            }

            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Returns a client at once, connecting in the background (useful with the offline queue).</summary>
    public static MwgClient Start(MwgClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var client = new MwgClient(options);
        client._runLoop = Task.Run(client.RunAsync);
        return client;
    }

    public MwgClientOptions Options => _options;

    public ConnectionState State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    /// <summary>Raised on a background thread on every state change. Handlers must not block.</summary>
    public event EventHandler<ConnectionStateChangedEventArgs>? StateChanged;

    /// <summary>The limits the server announced in its hello (defaults before the first connection).</summary>
    public ProtocolLimits ServerLimits => Volatile.Read(ref _serverLimits);

    /// <summary>The highest store revision this client has seen (write replies and notifications).</summary>
    public long LastSeenRevision => Interlocked.Read(ref _lastSeenRevision);

    /// <summary>The prefix this client holds, if any.</summary>
    public PrefixLease? Lease => Volatile.Read(ref _lease);

    /// <summary>Raised when a reconnect could not reclaim the lease (its grace expired): <see cref="Lease"/> is null afterwards.</summary>
    public event EventHandler<PrefixLease>? LeaseLost;

    /// <summary>Writes waiting in the offline queue.</summary>
    public int QueuedWrites => _queue?.Count ?? 0;

    /// <summary>The cache's own subscription (tests wait on its events).</summary>
    internal ClientSubscription? CacheWatch { get; }

    /// <summary>Entries in the local cache.</summary>
    public int CachedEntries => _cache?.Count ?? 0;

    /// <summary>The current state, then every change, until the client closes.</summary>
    public async IAsyncEnumerable<ConnectionState> WatchStateAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var changes = Channel.CreateUnbounded<ConnectionState>();
        void OnChanged(object? sender, ConnectionStateChangedEventArgs e)
        {
            changes.Writer.TryWrite(e.Current);
            if (e.Current == ConnectionState.Closed)
            {
                changes.Writer.TryComplete();
            }
        }

        StateChanged += OnChanged;
        try
        {
            var now = State;
            yield return now;
            if (now == ConnectionState.Closed)
            {
                yield break;
            }

            await foreach (var state in changes.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return state;
            }
        }
        finally
        {
            StateChanged -= OnChanged;
        }
    }

    /// <summary>Completes when the client is connected (lease reclaimed, subscriptions resumed); throws when it is closed.</summary>
    public async Task WaitUntilConnectedAsync(CancellationToken cancellationToken = default) =>
        _ = await WaitForLiveAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Reads a batch of keys: one value per key, in key order, null for a missing key.
    /// A read lost with its connection is sent again on the next one.</summary>
    public async Task<IReadOnlyList<byte[]?>> GetAsync(IReadOnlyList<byte[]> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (_cache?.TryGetAll(keys) is { } hit)
        {
            return hit;
        }

        var cache = _cache;
        var generation = cache?.Generation ?? 0;
        var reply = await RequestAsync(
            // At least the newest revision this client has seen: its own writes and what it was notified of, even
            // when this connection's node (in a cluster) has not applied them yet.
            id => new Get(id, keys, LastSeenRevision),
            cache is null ? null : r =>
            {
                if (r is GetResult result)
                {
                    cache.Fill(generation, keys, result.Values);
                }
            },
            RequestKind.Read,
            cancellationToken).ConfigureAwait(false);
        return reply is GetResult got ? got.Values : throw Unexpected();
    }

    /// <summary>Reads one key: its value, or null when missing.</summary>
    public async Task<byte[]?> GetAsync(byte[] key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var values = await GetAsync([key], cancellationToken).ConfigureAwait(false);
        return values[0];
    }

    /// <summary>Writes a batch of pairs atomically; returns the store revision of the write.
    /// See docs/client.md for what happens to a write when the connection drops.</summary>
    public async Task<long> PutAsync(IReadOnlyList<KeyValue> pairs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var keys = pairs.Select(p => p.Key).ToArray();
        var reply = await RequestAsync(id => new Put(id, pairs), _ => _cache?.Invalidate(keys), RequestKind.Write, cancellationToken).ConfigureAwait(false);
        _cache?.Invalidate(keys);
        return reply is PutResult { Ok: true } put ? Seen(put.Revision) : throw Unexpected();
    }

    /// <summary>Removes a batch of keys atomically; returns the store revision of the removal.</summary>
    public async Task<long> RemoveAsync(IReadOnlyList<byte[]> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var reply = await RequestAsync(id => new Remove(id, keys), _ => _cache?.Invalidate(keys), RequestKind.Write, cancellationToken).ConfigureAwait(false);
        _cache?.Invalidate(keys);
        return reply is RemoveResult { Ok: true } removed ? Seen(removed.Revision) : throw Unexpected();
    }

    /// <summary>Leases a free id prefix, or returns the one already held. The client reclaims it on every reconnect.</summary>
    public async Task<PrefixLease> LockAsync(CancellationToken cancellationToken = default)
    {
        await _leaseGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Lease is { } held)
            {
                return held;
            }

            var reply = await RequestAsync(id => new Protocol.Lock(id), null, RequestKind.Control, cancellationToken).ConfigureAwait(false);
            if (reply is not LockResult granted)
            {
                throw Unexpected();
            }

            var lease = new PrefixLease(granted.Prefix, granted.LeaseToken ?? []);
            Volatile.Write(ref _lease, lease);
            return lease;
        }
        finally
        {
            _leaseGate.Release();
        }
    }

    /// <summary>Releases the held prefix (nothing when none is held). An unlock lost with its connection is sent
    /// again after the reconnect.</summary>
    public async Task UnlockAsync(CancellationToken cancellationToken = default)
    {
        await _leaseGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (Lease is { } lease)
            {
                try
                {
                    var token = lease.Token.ToArray();
                    var reply = await RequestAsync(id => new Unlock(id, lease.Prefix, token), null, RequestKind.Control, cancellationToken).ConfigureAwait(false);
                    if (reply is not UnlockResult)
                    {
                        throw Unexpected();
                    }

                    Volatile.Write(ref _lease, null);
                }
                catch (MwgClientException ex) when (ex.OutcomeUnknown && ex.Code == ErrorCode.Unavailable)
                {
                    // Lost with the connection: after the reconnect we hold it again (reclaimed) or not at all.
                }
                catch (MwgClientException ex) when (ex.Code is ErrorCode.NotLockHolder or ErrorCode.LeaseTokenInvalid)
                {
                    Volatile.Write(ref _lease, null); // not ours any more
                }
            }
        }
        finally
        {
            _leaseGate.Release();
        }
    }

    /// <summary>Subscribes to every key under <paramref name="prefixes"/> (the empty prefix is every key). Completes
    /// when the server confirmed it (after replaying the changes after <see cref="SubscribeOptions.AfterRevision"/>).</summary>
    public async Task<ClientSubscription> SubscribeAsync(IReadOnlyList<byte[]> prefixes, SubscribeOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefixes);
        if (prefixes.Count == 0)
        {
            throw new ArgumentException("at least one prefix (the empty prefix is every key)", nameof(prefixes));
        }

        var subscription = new ClientSubscription([.. prefixes.Select(p => p.ToArray())], options ?? new SubscribeOptions(), UnsubscribeAsync);
        lock (_lock)
        {
            ThrowIfClosed();
            _subscriptions.Add(subscription);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
        timeout.CancelAfter(_options.RequestTimeout);
        try
        {
            while (true)
            {
                var session = await WaitForLiveAsync(timeout.Token).ConfigureAwait(false);
                try
                {
                    await BindAsync(session, subscription).WaitAsync(timeout.Token).ConfigureAwait(false);
                    return subscription;
                }
                catch (SessionLostException)
                {
                    // Bound again by the next connection's restore, or by this loop.
                }
            }
        }
        catch (Exception ex)
        {
            lock (_lock)
            {
                _subscriptions.Remove(subscription);
            }

            subscription.Complete();
            if (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw TimedOutOrClosed(sent: false);
            }

            throw;
        }
    }

    /// <summary>Round trip to the server; returns the time it took.</summary>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default)
    {
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        var reply = await RequestAsync(id => new Ping(id), null, RequestKind.Read, cancellationToken).ConfigureAwait(false);
        return reply is Pong ? System.Diagnostics.Stopwatch.GetElapsedTime(start) : throw Unexpected();
    }

    /// <summary>Closes the connection gracefully, fails what is pending and completes every subscription. It does not
    /// unlock: a held prefix stays reserved for the server's grace period (call <see cref="UnlockAsync"/> first).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        Close(new MwgClientException(ErrorCode.Unavailable, "the client is closed", isRetryable: false), failed: false);
        await _closing.CancelAsync().ConfigureAwait(false);
        Session? session;
        lock (_lock)
        {
            session = _current;
        }

        if (session is not null)
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }

        // _closing is left undisposed: calls racing the dispose still read its token (it holds no timer).
        await _runLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private enum RequestKind
    {
        /// <summary>Safe to send again: retried on the next connection when the connection drops.</summary>
        Read,

        /// <summary>Put or remove: held in the offline queue when enabled; never sent twice by the client.</summary>
        Write,

        /// <summary>Waits for a connection; never sent twice by the client.</summary>
        Control,
    }

    // Retries of a request answered Unavailable: quick at first (a failover takes seconds), never hammering.
    private static readonly TimeSpan RetryMinDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan RetryMaxDelay = TimeSpan.FromSeconds(1);

    private static TaskCompletionSource<Session> NewConnectedSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static MwgClientException Unexpected() => new(ErrorCode.BadFrame, "unexpected reply from the server", isRetryable: false);

    private static MwgClientException LostWrite() =>
        new(ErrorCode.Unavailable, "the connection was lost before the reply: the request may or may not have been applied", isRetryable: true, outcomeUnknown: true);

    private long Seen(long? revision)
    {
        if (revision is not { } r)
        {
            return 0;
        }

        var seen = Interlocked.Read(ref _lastSeenRevision);
        while (r > seen)
        {
            var was = Interlocked.CompareExchange(ref _lastSeenRevision, r, seen);
            if (was == seen)
            {
                break;
            }

            seen = was;
        }

        return r;
    }

    private async Task<Reply> RequestAsync(Func<RequestId, Request> create, Action<Reply>? onReplyInLoop, RequestKind kind, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
        timeout.CancelAfter(_options.RequestTimeout);
        var sent = false;
        var slot = false;
        var unavailable = 0;
        try
        {
            await _inFlight.WaitAsync(timeout.Token).ConfigureAwait(false);
            slot = true;
            while (true)
            {
                Session session;
                if (kind == RequestKind.Write)
                {
                    QueuedWrite? queued = null;
                    lock (_lock)
                    {
                        ThrowIfClosed();
                        if (_live is { } live)
                        {
                            session = live;
                        }
                        else if (_queue is not null)
                        {
                            session = null!;
                            queued = new QueuedWrite(create, Environment.TickCount64);
                            if (!_queue.TryEnqueue(queued))
                            {
                                throw new MwgClientException(ErrorCode.Overloaded, "the offline queue is full");
                            }
                        }
                        else
                        {
                            throw new MwgClientException(ErrorCode.Unavailable, "not connected (the offline queue is off)");
                        }
                    }

                    if (queued is not null)
                    {
                        // A held write does not take an in-flight slot: the queue has its own bound.
                        _inFlight.Release();
                        slot = false;
                        return Check(await WaitQueuedAsync(queued, cancellationToken).ConfigureAwait(false));
                    }
                }
                else
                {
                    session = await WaitForLiveAsync(timeout.Token).ConfigureAwait(false);
                }

                try
                {
                    sent = true;
                    var reply = await session.SendAsync(create, onReplyInLoop, timeout.Token).ConfigureAwait(false);
                    if (reply is Error { Code: ErrorCode.Unavailable })
                    {
                        // The server could not serve it for now (a cluster's writer moving, a view catching up, a
                        // journal failing): the same request again, after a short backoff, within the timeout.
                        await Task.Delay(Backoff.Delay(++unavailable, RetryMinDelay, RetryMaxDelay, 0.5), timeout.Token).ConfigureAwait(false);
                        continue;
                    }

                    return Check(reply);
                }
                catch (SessionLostException lost) when (kind == RequestKind.Read || !lost.Sent)
                {
                    sent = false;
                    MarkEnded(session);
                }
                catch (SessionLostException)
                {
                    throw LostWrite();
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw TimedOutOrClosed(sent && kind != RequestKind.Read);
        }
        finally
        {
            if (slot)
            {
                _inFlight.Release();
            }
        }
    }

    private async Task<Reply> WaitQueuedAsync(QueuedWrite queued, CancellationToken cancellationToken)
    {
        var maxAge = _options.OfflineQueue.MaxAge;
        try
        {
            return await queued.Completion.Task.WaitAsync(maxAge, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException && _queue!.TryRemove(queued))
        {
            // Never sent: it is out of the queue now.
            if (ex is TimeoutException)
            {
                throw new MwgClientException(ErrorCode.Timeout, "the write waited in the offline queue longer than its max age");
            }

            throw;
        }
        catch (TimeoutException)
        {
            // Being sent right now: its reply decides, within the request timeout.
            return await queued.Completion.Task.WaitAsync(_options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        }
    }

    private static Reply Check(Reply reply) => reply is Error error
        ? throw new MwgClientException(error.Code, $"{error.Code}: {error.Reason}")
        : reply;

    private MwgClientException TimedOutOrClosed(bool sent)
    {
        lock (_lock)
        {
            if (_closedReason is { } closed)
            {
                return closed;
            }
        }

        return new MwgClientException(ErrorCode.Timeout, "the request timed out", isRetryable: true, outcomeUnknown: sent);
    }

    private async Task<Session> WaitForLiveAsync(CancellationToken cancellationToken)
    {
        Task<Session> signal;
        lock (_lock)
        {
            ThrowIfClosed();
            signal = _connected.Task;
        }

        return await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private void ThrowIfClosed()
    {
        if (_closedReason is { } reason)
        {
            throw new MwgClientException(reason.Code, reason.Message, isRetryable: false);
        }
    }
}
