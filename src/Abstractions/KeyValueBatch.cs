namespace MwgActors.Storage;

/// <summary>One operation of a <see cref="KeyValueBatch"/>: a put when <see cref="Value"/> is not null, else a remove.</summary>
public readonly record struct BatchOperation(byte[] Key, byte[]? Value)
{
    public bool IsRemove => Value is null;
}

/// <summary>
/// An ordered list of puts and removes applied atomically by <see cref="IKeyValueStore.Write"/>.
/// Later operations on the same key win. The batch keeps references to the arrays it is given:
/// do not change them until the batch is written.
/// </summary>
public sealed class KeyValueBatch
{
    private readonly List<BatchOperation> _operations;

    public KeyValueBatch() => _operations = [];

    public KeyValueBatch(int capacity) => _operations = new List<BatchOperation>(capacity);

    /// <summary>A batch of the given operations, in order (a null value is a remove).</summary>
    public KeyValueBatch(IEnumerable<BatchOperation> operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        _operations = [.. operations];
        foreach (var op in _operations)
        {
            ArgumentNullException.ThrowIfNull(op.Key, nameof(operations));
        }
    }

    public IReadOnlyList<BatchOperation> Operations => _operations;

    public int Count => _operations.Count;

    /// <summary>
    /// The revision this batch applies, when its writer is event-sourced (the journal sequence number of its event);
    /// the store records it atomically with the batch as <see cref="IKeyValueStore.AppliedRevision"/>. Null for a plain batch.
    /// </summary>
    public long? Revision { get; private set; }

    /// <summary>Marks the batch as applying <paramref name="revision"/> (positive, increasing from batch to batch).</summary>
    public KeyValueBatch WithRevision(long revision)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(revision);
        Revision = revision;
        return this;
    }

    public KeyValueBatch Put(byte[] key, byte[] value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        _operations.Add(new BatchOperation(key, value));
        return this;
    }

    public KeyValueBatch Remove(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _operations.Add(new BatchOperation(key, null));
        return this;
    }
}
