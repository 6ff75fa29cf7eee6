using MwgActors.Protocol;

namespace MwgActors.Client;

/// <summary>
/// A client of the extended binary dialect (<c>mwg.v1</c>). Thread-safe. Reconnects by itself with exponential
/// backoff and jitter; on reconnect it reclaims its prefix lease, resumes every subscription from the last revision
/// it delivered, and drains the offline queue. See docs/client.md for the guarantees.
/// </summary>
public sealed partial class MwgClient : IAsyncDisposable
{
    /// <summary>Connects (waiting for the first connection up to <see cref="MwgClientOptions.ConnectTimeout"/>) and returns the client.</summary>
    public static Task<MwgClient> ConnectAsync(MwgClientOptions options, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    public MwgClientOptions Options => throw new NotImplementedException();

    public ConnectionState State => throw new NotImplementedException();

    /// <summary>Raised on a background thread on every state change. Handlers must not block.</summary>
    public event EventHandler<ConnectionStateChangedEventArgs>? StateChanged { add => throw new NotImplementedException(); remove => throw new NotImplementedException(); }

    /// <summary>The limits the server announced in its hello (defaults before the first connection).</summary>
    public ProtocolLimits ServerLimits => throw new NotImplementedException();

    /// <summary>The highest store revision this client has seen (write replies and notifications).</summary>
    public long LastSeenRevision => throw new NotImplementedException();

    /// <summary>The prefix this client holds, if any.</summary>
    public PrefixLease? Lease => throw new NotImplementedException();

    /// <summary>Raised when a reconnect could not reclaim the lease (its grace expired): <see cref="Lease"/> is null afterwards.</summary>
    public event EventHandler<PrefixLease>? LeaseLost { add => throw new NotImplementedException(); remove => throw new NotImplementedException(); }

    /// <summary>The state changes from now on, until the client closes.</summary>
    public IAsyncEnumerable<ConnectionState> WatchStateAsync(CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <summary>Completes when the client is connected; throws when it is closed.</summary>
    public Task WaitUntilConnectedAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Reads a batch of keys: one value per key, in key order, null for a missing key.</summary>
    public Task<IReadOnlyList<byte[]?>> GetAsync(IReadOnlyList<byte[]> keys, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <summary>Reads one key: its value, or null when missing.</summary>
    public Task<byte[]?> GetAsync(byte[] key, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Writes a batch of pairs atomically; returns the store revision of the write.</summary>
    public Task<long> PutAsync(IReadOnlyList<KeyValue> pairs, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <summary>Removes a batch of keys atomically; returns the store revision of the removal.</summary>
    public Task<long> RemoveAsync(IReadOnlyList<byte[]> keys, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <summary>Leases a free id prefix (or returns the one already held).</summary>
    public Task<PrefixLease> LockAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Releases the held prefix (nothing when none is held).</summary>
    public Task UnlockAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Subscribes to every key under <paramref name="prefixes"/> (the empty prefix is every key).</summary>
    public Task<ClientSubscription> SubscribeAsync(IReadOnlyList<byte[]> prefixes, SubscribeOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <summary>Round trip to the server; returns the time it took.</summary>
    public Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Closes the connection (gracefully when it can), fails what is pending and completes every subscription.</summary>
    public ValueTask DisposeAsync() => throw new NotImplementedException();
}
