using MwgActors.Protocol;
using MwgActors.Storage;

namespace MwgActors.Client;

/// <summary>
/// An <see cref="IKeyValueStore"/> over a <see cref="MwgClient"/>, so code written against a local store runs
/// against a server. The methods block the calling thread on the async client (do not call them on a
/// single-threaded synchronization context). What differs from a local store (docs/client.md):
/// <list type="bullet">
/// <item><see cref="Write"/> of a batch holding both puts and removes is two requests (puts, then removes), each
///   atomic; other readers may see the puts before the removes. A batch of only puts or only removes is atomic.</item>
/// <item><see cref="ScanPrefix"/> throws <see cref="NotSupportedException"/>: the protocol has no scan.</item>
/// <item><see cref="GetStats"/> knows nothing of the server's store and returns zeros.</item>
/// <item><see cref="AppliedRevision"/> is the last revision the client has seen, not one written by this adapter.</item>
/// <item>Failures are <see cref="MwgClientException"/> (connection, timeout, server refusal), not <see cref="StoreException"/>.</item>
/// </list>
/// </summary>
public sealed class RemoteKeyValueStore : IKeyValueStore
{
    private readonly bool _ownsClient;
    private int _disposed;

    /// <param name="client">The connected client.</param>
    /// <param name="ownsClient">Dispose the client with the store.</param>
    public RemoteKeyValueStore(MwgClient client, bool ownsClient = false)
    {
        ArgumentNullException.ThrowIfNull(client);
        Client = client;
        _ownsClient = ownsClient;
    }

    public MwgClient Client { get; }

    /// <summary>The last store revision the client has seen.</summary>
    public long AppliedRevision => Client.LastSeenRevision;

    public byte[]?[] Get(IReadOnlyList<byte[]> keys)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            return [];
        }

        return [.. Client.GetAsync(keys).GetAwaiter().GetResult()];
    }

    public void Write(KeyValueBatch batch)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(batch);

        // Later operations on a key win, as in a local batch: keep the last one per key.
        var last = new Dictionary<byte[], byte[]?>(ByteArrayComparer.Instance);
        foreach (var operation in batch.Operations)
        {
            last[operation.Key] = operation.Value;
        }

        var puts = last.Where(p => p.Value is not null).Select(p => new KeyValue(p.Key, p.Value!)).ToArray();
        var removes = last.Where(p => p.Value is null).Select(p => p.Key).ToArray();
        if (puts.Length > 0)
        {
            Client.PutAsync(puts).GetAwaiter().GetResult();
        }

        if (removes.Length > 0)
        {
            Client.RemoveAsync(removes).GetAwaiter().GetResult();
        }
    }

    /// <summary>Not supported: the wire protocol has no scan.</summary>
    public IEnumerable<KeyValuePair<byte[], byte[]>> ScanPrefix(ReadOnlyMemory<byte> prefix) =>
        throw new NotSupportedException("a remote store cannot scan: the protocol has no scan request");

    /// <summary>Zeros: the server's figures are not on the wire (see its /admin/stats).</summary>
    public StoreStats GetStats()
    {
        ThrowIfDisposed();
        return new StoreStats(0, 0);
    }

    /// <summary>Disposes the client when the store owns it; the store refuses calls afterwards.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _ownsClient)
        {
            Client.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
}
