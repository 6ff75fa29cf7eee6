namespace MwgActors.LoadGen;

/// <summary>
/// A store the kv op mix can run on directly, for comparison: one <see cref="IKvBaselineClient"/> per
/// load generator client, as each of ours is one websocket.
/// </summary>
internal interface IKvBaseline : IAsyncDisposable
{
    /// <summary>What ran, for the summary: the engine, its durability, how clients map onto it.</summary>
    string Describe { get; }

    /// <summary>
    /// True when the client's calls block until done (in-process RocksDB): each worker then gets a thread of
    /// its own, the way each of ours has its own request outstanding.
    /// </summary>
    bool Blocking { get; }

    Task<IKvBaselineClient> ConnectAsync(CancellationToken cancellation);
}

/// <summary>One client of a baseline: runs one batched get, put (every key the same value) or remove.</summary>
internal interface IKvBaselineClient : IAsyncDisposable
{
    ValueTask ExecuteAsync(Op op, byte[][] keys, byte[] value);
}
