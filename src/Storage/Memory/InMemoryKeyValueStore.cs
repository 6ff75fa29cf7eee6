using System.Collections.Immutable;

namespace MwgActors.Storage.Memory;

/// <summary>
/// An <see cref="IKeyValueStore"/> held in memory, with the same semantics as the RocksDB store:
/// for tests and for embedding where durability is not wanted.
/// </summary>
/// <remarks>
/// The contents are an immutable sorted set replaced on every write (copy-on-write under a lock), so a
/// reader takes one reference and has a consistent point-in-time view without locking: writers never
/// block readers, and a batch becomes visible all at once.
/// </remarks>
public sealed class InMemoryKeyValueStore : IKeyValueStore
{
    private static readonly ImmutableSortedSet<Entry> Empty = ImmutableSortedSet.Create<Entry>(EntryComparer.Instance);

    private readonly Lock _writeLock = new();
    private ImmutableSortedSet<Entry> _entries = Empty;
    private int _disposed;
    private long _appliedRevision;

    public long AppliedRevision => Volatile.Read(ref _appliedRevision);

    public byte[]?[] Get(IReadOnlyList<byte[]> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var entries = Snapshot();
        var result = new byte[]?[keys.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var key = keys[i] ?? throw new ArgumentException($"key {i} is null", nameof(keys));
            result[i] = entries.TryGetValue(Entry.Probe(key), out var found) ? Copy(found.Value!) : null;
        }

        return result;
    }

    public byte[]?[]? GetWhile(IReadOnlyList<byte[]> keys, ValueAdmission admit)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(admit);
        var entries = Snapshot();
        var result = new byte[]?[keys.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var key = keys[i] ?? throw new ArgumentException($"key {i} is null", nameof(keys));
            if (entries.TryGetValue(Entry.Probe(key), out var found))
            {
                if (!admit(i, found.Value!.Length))
                {
                    return null;
                }

                result[i] = Copy(found.Value);
            }
        }

        return result;
    }

    public void Write(KeyValueBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ThrowIfDisposed();
        if (batch.Count == 0 && batch.Revision is null)
        {
            return;
        }

        // Copy outside the lock: the caller may reuse its arrays once the call returns.
        var operations = batch.Operations;
        var copies = new Entry[operations.Count];
        for (var i = 0; i < copies.Length; i++)
        {
            var operation = operations[i];
            copies[i] = new Entry(Copy(operation.Key), operation.Value is null ? null : Copy(operation.Value));
        }

        lock (_writeLock)
        {
            ThrowIfDisposed();
            var builder = _entries.ToBuilder();
            foreach (var entry in copies)
            {
                builder.Remove(entry);
                if (entry.Value is not null)
                {
                    builder.Add(entry);
                }
            }

            Volatile.Write(ref _entries, builder.ToImmutable());
            if (batch.Revision is { } revision)
            {
                Volatile.Write(ref _appliedRevision, revision);
            }
        }
    }

    public IEnumerable<KeyValuePair<byte[], byte[]>> ScanPrefix(ReadOnlyMemory<byte> prefix)
    {
        ThrowIfDisposed();
        return Scan(prefix.ToArray());
    }

    public StoreStats GetStats() => new(Snapshot().Count, 0);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            lock (_writeLock)
            {
                Volatile.Write(ref _entries, Empty);
            }
        }
    }

    private IEnumerable<KeyValuePair<byte[], byte[]>> Scan(byte[] prefix)
    {
        // The view is taken when enumeration starts, as RocksDB's iterator does.
        var entries = Snapshot();
        var index = entries.IndexOf(Entry.Probe(prefix));
        for (var i = index >= 0 ? index : ~index; i < entries.Count; i++)
        {
            ThrowIfDisposed();
            var entry = entries[i];
            if (!entry.Key.AsSpan().StartsWith(prefix))
            {
                yield break;
            }

            yield return new KeyValuePair<byte[], byte[]>(Copy(entry.Key), Copy(entry.Value!));
        }
    }

    private ImmutableSortedSet<Entry> Snapshot()
    {
        ThrowIfDisposed();
        return Volatile.Read(ref _entries);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private static byte[] Copy(byte[] bytes) => bytes.Length == 0 ? [] : bytes.AsSpan().ToArray();

    /// <summary>A stored pair, or a probe (null value) for lookups; ordered by key only.</summary>
    private sealed record Entry(byte[] Key, byte[]? Value)
    {
        public static Entry Probe(byte[] key) => new(key, null);
    }

    private sealed class EntryComparer : IComparer<Entry>
    {
        public static readonly EntryComparer Instance = new();

        public int Compare(Entry? x, Entry? y) => ByteArrayComparer.Instance.Compare(x?.Key, y?.Key);
    }
}
