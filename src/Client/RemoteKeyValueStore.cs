using MwgActors.Storage;

namespace MwgActors.Client;

/// <summary>
/// An <see cref="IKeyValueStore"/> over a <see cref="MwgClient"/>, so code written against a local store runs
/// against a server. The methods are synchronous over the async client (they block the calling thread; do not
/// call them from a single-threaded synchronization context). See docs/client.md for what differs from a local store.
/// </summary>
public sealed class RemoteKeyValueStore : IKeyValueStore
{
    public RemoteKeyValueStore(MwgClient client, bool ownsClient = false) => throw new NotImplementedException();

    public MwgClient Client => throw new NotImplementedException();

    /// <summary>The last store revision the client has seen.</summary>
    public long AppliedRevision => throw new NotImplementedException();

    public byte[]?[] Get(IReadOnlyList<byte[]> keys) => throw new NotImplementedException();

    public void Write(KeyValueBatch batch) => throw new NotImplementedException();

    public IEnumerable<KeyValuePair<byte[], byte[]>> ScanPrefix(ReadOnlyMemory<byte> prefix) => throw new NotImplementedException();

    public StoreStats GetStats() => throw new NotImplementedException();

    public void Dispose() => throw new NotImplementedException();
}
