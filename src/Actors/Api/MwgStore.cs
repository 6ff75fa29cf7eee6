using System.Threading.Channels;
using Akka.Actor;
using MwgActors.Actors.Storage;
using MwgActors.Storage;
using static MwgActors.Actors.Storage.StorageProtocol;
using static MwgActors.Actors.Subscriptions.SubscriptionProtocol;

namespace MwgActors.Actors.Api;

/// <summary>
/// The in-process API for apps that embed the actor system: the same get/put/remove/subscribe/reload as a remote
/// client, against the same actors. Its writes notify remote subscribers, and it sees client writes as soon as they
/// are acknowledged. Thread-safe.
/// </summary>
public sealed class MwgStore
{
    private readonly ActorSystem _system;
    private readonly IActorRef _storage;
    private readonly IActorRef _subscriptions;
    private readonly ApiSettings _settings;
    private long _nextSubscriptionId;

    internal MwgStore(ActorSystem system, IActorRef storage, IActorRef subscriptions, ApiSettings settings)
    {
        _system = system;
        _storage = storage;
        _subscriptions = subscriptions;
        _settings = settings;
    }

    /// <summary>Values in key order: null for a missing key, an empty array for an empty value.</summary>
    public Task<IReadOnlyList<byte[]?>> GetAsync(IReadOnlyList<byte[]> keys, CancellationToken cancellationToken = default) =>
        GetAsync(keys, minRevision: 0, cancellationToken);

    /// <summary>
    /// Values in key order, read from a view that has applied at least <paramref name="minRevision"/> (in cluster mode
    /// the read waits for this node's view; pass the revision of a write made through another node to read it).
    /// </summary>
    /// <remarks>
    /// A key named several times is read once. The values are not bounded in size: the app is trusted and chooses its
    /// keys. An app that passes on keys it does not choose (its own HTTP endpoint, say) gives a bound with the
    /// overload that takes maxReplyBytes.
    /// </remarks>
    public Task<IReadOnlyList<byte[]?>> GetAsync(IReadOnlyList<byte[]> keys, long minRevision, CancellationToken cancellationToken = default) =>
        GetAsync(keys, minRevision, long.MaxValue, cancellationToken);

    /// <summary>
    /// As <see cref="GetAsync(IReadOnlyList{byte[]}, long, CancellationToken)"/>, reading no more than
    /// <paramref name="maxReplyBytes"/> of values (a value counted at every position that names it): past it the
    /// read stops and the call throws <see cref="MwgApiException"/> with <see cref="MwgApiError.ReplyTooLarge"/>.
    /// </summary>
    public async Task<IReadOnlyList<byte[]?>> GetAsync(IReadOnlyList<byte[]> keys, long minRevision, long maxReplyBytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentOutOfRangeException.ThrowIfNegative(maxReplyBytes);
        var budget = maxReplyBytes == long.MaxValue ? null : new ReplyBudget(maxReplyBytes);
        var read = await AskStorage<KeysRead>(new ReadKeys(keys, 0, minRevision, budget), cancellationToken);
        return read.Values;
    }

    /// <summary>Writes the pairs as one atomic batch and returns its revision.</summary>
    public Task<long> PutAsync(IReadOnlyList<KeyValuePair<byte[], byte[]>> pairs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        return WriteAsync(pairs.Select(p => new BatchOperation(p.Key, p.Value ?? throw new ArgumentException("a put needs a value", nameof(pairs)))), cancellationToken);
    }

    /// <summary>Removes the keys as one atomic batch and returns its revision.</summary>
    public Task<long> RemoveAsync(IReadOnlyList<byte[]> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return WriteAsync(keys.Select(k => new BatchOperation(k, null)), cancellationToken);
    }

    /// <summary>Applies a mix of puts and removes atomically and returns the batch's revision.</summary>
    public async Task<long> WriteAsync(IEnumerable<BatchOperation> operations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var batch = operations.Select(Own).ToArray();
        var committed = await AskStorage<BatchCommitted>(new WriteBatch(batch), cancellationToken);
        return committed.Revision;
    }

    /// <summary>The latest committed revision.</summary>
    public async Task<long> GetRevisionAsync(CancellationToken cancellationToken = default) =>
        (await AskStorage<CurrentRevision>(GetCurrentRevision.Instance, cancellationToken)).Revision;

    /// <summary>
    /// The pairs under <paramref name="prefix"/> in key order, at most <paramref name="maxPairs"/> of them and about
    /// <paramref name="maxBytes"/> of keys and values, with the revision they are at least as new as (subscribe after
    /// it to follow the listing without a gap).
    /// </summary>
    public async Task<PrefixScanned> ScanAsync(byte[] prefix, int maxPairs, long maxBytes = long.MaxValue, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPairs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        return await AskStorage<PrefixScanned>(new ScanPrefix(prefix.ToArray(), maxPairs, maxBytes), cancellationToken);
    }

    /// <summary>How many subscriptions are live, and how many subscribers (connections, in-process) hold them.</summary>
    public Task<SubscriptionStats> GetSubscriptionStatsAsync(CancellationToken cancellationToken = default) =>
        Ask<SubscriptionStats>(_subscriptions, GetStats.Instance, cancellationToken);

    /// <summary>Pushes a reload of these keys or prefixes to exactly the subscriptions that overlap them; returns how many.</summary>
    public async Task<int> ForceReloadAsync(IReadOnlyList<byte[]> keysOrPrefixes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keysOrPrefixes);
        var pushed = await Ask<ReloadPushed>(_subscriptions, new ForceReload(keysOrPrefixes.Select(k => k.ToArray()).ToArray()), cancellationToken);
        return pushed.Subscriptions;
    }

    /// <summary>
    /// Subscribes to the keys under <paramref name="prefixes"/> (an empty prefix is every key). With
    /// <paramref name="afterRevision"/>, every change after it is delivered first, then the live stream.
    /// </summary>
    /// <exception cref="MwgApiException"><see cref="MwgApiError.Overloaded"/> when the subscriptions' memory budget
    /// (mwg.subscriptions.max-memory) has no room for it.</exception>
    public async Task<MwgSubscription> SubscribeAsync(
        IReadOnlyList<byte[]> prefixes,
        long? afterRevision = null,
        bool includeValues = true,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefixes);
        var channel = Channel.CreateBounded<object>(new BoundedChannelOptions(_settings.SubscriptionBuffer)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        var bridge = _system.ActorOf(SubscriptionBridgeActor.Props(channel.Writer));
        var id = Interlocked.Increment(ref _nextSubscriptionId);
        try
        {
            var subscribed = await Ask<SubscriptionOpened>(
                _subscriptions,
                new OpenSubscription(id, prefixes.Select(p => p.ToArray()).ToArray(), afterRevision, includeValues, bridge),
                cancellationToken);
            return new MwgSubscription(subscribed.CurrentRevision, channel.Reader, bridge);
        }
        catch
        {
            bridge.Tell(PoisonPill.Instance);
            throw;
        }
    }

    // The caller may reuse its arrays once the call returns; the batch travels through the journal asynchronously.
    private static BatchOperation Own(BatchOperation op) =>
        new(op.Key?.ToArray() ?? throw new ArgumentException("a key must not be null"), op.Value?.ToArray());

    private Task<T> AskStorage<T>(object message, CancellationToken cancellationToken) =>
        Ask<T>(_storage, message, cancellationToken);

    private async Task<T> Ask<T>(IActorRef target, object message, CancellationToken cancellationToken)
    {
        object reply;
        try
        {
            reply = await target.Ask<object>(message, _settings.AskTimeout, cancellationToken);
        }
        catch (AskTimeoutException ex)
        {
            throw new MwgApiException(MwgApiError.Timeout, $"no answer within {_settings.AskTimeout}", ex);
        }

        return reply switch
        {
            T expected => expected,
            StorageFailed failed => throw new MwgApiException(
                failed.Reason switch
                {
                    StorageFailure.WriteFailed => MwgApiError.WriteFailed,
                    StorageFailure.ReadFailed => MwgApiError.ReadFailed,
                    StorageFailure.ReplyTooLarge => MwgApiError.ReplyTooLarge,
                    _ => MwgApiError.Unavailable,
                },
                $"storage failed: {failed.Reason}"),
            OpenSubscriptionRefused => throw new MwgApiException(
                MwgApiError.Overloaded, "the server holds all the subscriptions it has memory for (mwg.subscriptions.max-memory), retry later"),
            _ => throw new MwgApiException(MwgApiError.Unavailable, $"unexpected reply {reply.GetType().Name}"),
        };
    }
}
