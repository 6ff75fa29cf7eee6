using System.Runtime.CompilerServices;
using System.Threading.Channels;
using MwgActors.Client.Internal;

namespace MwgActors.Client;

/// <summary>
/// A subscription to key prefixes. It survives reconnects: the client resumes it from <see cref="LastRevision"/>,
/// and each change reaches the application exactly once, in revision order. Read the events with
/// <see cref="ReadAllAsync"/> (they are buffered until read) and/or the <see cref="EventReceived"/> event.
/// Dispose to unsubscribe.
/// </summary>
public sealed class ClientSubscription : IAsyncDisposable
{
    private readonly Channel<SubscriptionEvent>? _events;
    private readonly Func<ClientSubscription, ValueTask> _unsubscribe;
    private long _lastRevision;
    private int _disposed;

    internal ClientSubscription(IReadOnlyList<byte[]> prefixes, SubscribeOptions options, Func<ClientSubscription, ValueTask> unsubscribe, bool buffered = true)
    {
        Prefixes = prefixes;
        IncludeValues = options.IncludeValues;
        _lastRevision = options.AfterRevision ?? -1;
        _unsubscribe = unsubscribe;
        if (buffered)
        {
            _events = Channel.CreateUnbounded<SubscriptionEvent>(new UnboundedChannelOptions { SingleWriter = true });
        }
    }

    public IReadOnlyList<byte[]> Prefixes { get; }

    public bool IncludeValues { get; }

    /// <summary>The last revision delivered to the application, or the revision the subscription started at
    /// (-1 until the server confirmed it when no <see cref="SubscribeOptions.AfterRevision"/> was given).</summary>
    public long LastRevision => Interlocked.Read(ref _lastRevision);

    /// <summary>Raised on the client's receive loop for each event, in order, before it is buffered for
    /// <see cref="ReadAllAsync"/>. Handlers must be quick and must not throw.</summary>
    public event EventHandler<SubscriptionEvent>? EventReceived;

    /// <summary>The events in delivery order, until the subscription is disposed or the client closes. Each event
    /// is read once: two concurrent readers share them.</summary>
    public async IAsyncEnumerable<SubscriptionEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (_events is null)
        {
            yield break;
        }

        while (await _events.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (_events.Reader.TryRead(out var item))
            {
                yield return item;
            }
        }
    }

    /// <summary>Unsubscribes (locally at once; on the server when connected) and completes <see cref="ReadAllAsync"/>.</summary>
    public ValueTask DisposeAsync() =>
        Interlocked.Exchange(ref _disposed, 1) == 0 ? _unsubscribe(this) : ValueTask.CompletedTask;

    internal bool IsDisposed => Volatile.Read(ref _disposed) == 1;

    internal bool HasStarted => LastRevision >= 0;

    /// <summary>The session the subscription is bound to (or being bound to), its id there, and the pending bind.</summary>
    internal Session? Session { get; set; }

    internal long WireId { get; set; }

    internal Task? Binding { get; set; }

    internal void StartAt(long revision) => Interlocked.Exchange(ref _lastRevision, revision);

    /// <summary>Delivers a change unless its revision was delivered already (the seam between two connections).</summary>
    internal bool DeliverChange(long revision, ChangesReceived item)
    {
        if (revision <= LastRevision)
        {
            return false;
        }

        Interlocked.Exchange(ref _lastRevision, revision);
        Deliver(item);
        return true;
    }

    internal void Deliver(SubscriptionEvent item)
    {
        if (IsDisposed)
        {
            return;
        }

        EventReceived?.Invoke(this, item);
        _events?.Writer.TryWrite(item);
    }

    internal void Complete(Exception? error = null) => _events?.Writer.TryComplete(error);
}
