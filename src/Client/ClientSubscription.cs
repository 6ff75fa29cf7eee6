using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace MwgActors.Client;

/// <summary>
/// A subscription to key prefixes. Survives reconnects: it is resumed from <see cref="LastRevision"/>, and each
/// change reaches the application exactly once, in revision order. Read it with <see cref="ReadAllAsync"/> or the
/// <see cref="EventReceived"/> event (not both: the event fires for every event, the reader sees each once too).
/// Dispose to unsubscribe.
/// </summary>
public sealed class ClientSubscription : IAsyncDisposable
{
    private readonly Channel<SubscriptionEvent> _events = Channel.CreateUnbounded<SubscriptionEvent>(
        new UnboundedChannelOptions { SingleReader = false, SingleWriter = true });

    private readonly Func<ClientSubscription, ValueTask> _unsubscribe;
    private long _lastRevision;

    internal ClientSubscription(IReadOnlyList<byte[]> prefixes, SubscribeOptions options, Func<ClientSubscription, ValueTask> unsubscribe)
    {
        Prefixes = prefixes;
        IncludeValues = options.IncludeValues;
        _lastRevision = options.AfterRevision ?? -1;
        _unsubscribe = unsubscribe;
    }

    public IReadOnlyList<byte[]> Prefixes { get; }

    public bool IncludeValues { get; }

    /// <summary>The last revision delivered to the application (or the revision the subscription started at).</summary>
    public long LastRevision => Interlocked.Read(ref _lastRevision);

    /// <summary>Raised on the client's receive thread for each event, before it is queued for <see cref="ReadAllAsync"/>.
    /// Handlers must be quick and must not throw.</summary>
    public event EventHandler<SubscriptionEvent>? EventReceived;

    /// <summary>The events in delivery order, until the subscription is disposed or the client closes.</summary>
    public async IAsyncEnumerable<SubscriptionEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await _events.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (_events.Reader.TryRead(out var item))
            {
                yield return item;
            }
        }
    }

    /// <summary>Unsubscribes (best effort when disconnected) and completes <see cref="ReadAllAsync"/>.</summary>
    public ValueTask DisposeAsync() => _unsubscribe(this);

    internal bool HasStarted => LastRevision >= 0;

    internal void StartAt(long revision) => Interlocked.Exchange(ref _lastRevision, revision);

    internal void Deliver(SubscriptionEvent item, long? revision)
    {
        if (revision is { } r)
        {
            Interlocked.Exchange(ref _lastRevision, r);
        }

        EventReceived?.Invoke(this, item);
        _events.Writer.TryWrite(item);
    }

    internal void Complete(Exception? error = null) => _events.Writer.TryComplete(error);
}
