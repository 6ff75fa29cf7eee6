using System.Collections.Concurrent;
using MwgActors.Storage;

namespace MwgActors.Actors.Tests.Support;

/// <summary>
/// Wraps a store to record the revisions written to it, and optionally to stop applying batches after a revision:
/// a view that fell behind its journal, as after a crash between the journal write and the view write.
/// </summary>
internal sealed class ObservedStore(IKeyValueStore inner, long applyUpTo = long.MaxValue) : IKeyValueStore
{
    /// <summary>Revisions of the batches applied, in order.</summary>
    public ConcurrentQueue<long> AppliedRevisions { get; } = new();

    public long AppliedRevision => inner.AppliedRevision;

    public byte[]?[] Get(IReadOnlyList<byte[]> keys) => inner.Get(keys);

    public byte[]?[]? GetWhile(IReadOnlyList<byte[]> keys, ValueAdmission admit) => inner.GetWhile(keys, admit);

    public void Write(KeyValueBatch batch)
    {
        if (batch.Revision > applyUpTo)
        {
            return;
        }

        inner.Write(batch);
        if (batch.Revision is { } revision)
        {
            AppliedRevisions.Enqueue(revision);
        }
    }

    public IEnumerable<KeyValuePair<byte[], byte[]>> ScanPrefix(ReadOnlyMemory<byte> prefix) => inner.ScanPrefix(prefix);

    public StoreStats GetStats() => inner.GetStats();

    public void Dispose() => inner.Dispose();
}
