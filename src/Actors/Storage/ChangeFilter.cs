using MwgActors.Storage;

namespace MwgActors.Actors.Storage;

/// <summary>
/// Decides, for the single writer, which operations of a batch change the store, as etcd does: a put always changes
/// its key; a remove changes it only if the key exists when the remove applies. The operations that change nothing
/// are left out of the event, so they take no revision, are not journaled and notify no one.
/// </summary>
/// <remarks>
/// The writer journals batches asynchronously: a batch already given to the journal is not in the view until its
/// handler runs. A remove of a key such a batch touches is kept (it may exist by then): at worst a remove of an absent
/// key is journaled, as before, but a remove that changes the store is never dropped, even if the batch before it is
/// rejected by the journal.
/// </remarks>
internal sealed class ChangeFilter
{
    // Keys written by batches in the journal's hands whose handler has not run, with how many such batches touch each.
    private readonly Dictionary<byte[], int> _inFlight = new(ByteArrayComparer.Instance);

    /// <summary>The operations of <paramref name="operations"/> that change the store, in order (the same list when all do).</summary>
    /// <param name="view">The store as of every batch whose handler has run.</param>
    public IReadOnlyList<BatchOperation> Changes(IReadOnlyList<BatchOperation> operations, IKeyValueStore view) =>
        Changes(operations, key => Exists(view, key));

    /// <summary>The same, asking <paramref name="exists"/> whether a key exists as of every batch whose handler has run
    /// (the cluster writer asks its node's view; when that cannot say, the answer must be true: the remove is kept).</summary>
    public IReadOnlyList<BatchOperation> Changes(IReadOnlyList<BatchOperation> operations, Func<byte[], bool> exists)
    {
        if (!operations.Any(o => o.Value is null))
        {
            return operations;
        }

        // Whether each key exists as the batch goes: after its own earlier operations, else as the view has it.
        var existsInBatch = new Dictionary<byte[], bool>(ByteArrayComparer.Instance);
        var kept = new List<BatchOperation>(operations.Count);
        foreach (var operation in operations)
        {
            bool changes;
            if (operation.Value is not null)
            {
                changes = true;
            }
            else if (!existsInBatch.TryGetValue(operation.Key, out changes))
            {
                changes = _inFlight.ContainsKey(operation.Key) || exists(operation.Key);
            }

            existsInBatch[operation.Key] = operation.Value is not null;
            if (changes)
            {
                kept.Add(operation);
            }
        }

        return kept.Count == operations.Count ? operations : kept;
    }

    /// <summary>The batch went to the journal: its keys are not in the view until <see cref="Applied"/>.</summary>
    public void Journaling(IReadOnlyList<BatchOperation> operations)
    {
        foreach (var operation in operations)
        {
            _inFlight[operation.Key] = _inFlight.GetValueOrDefault(operation.Key) + 1;
        }
    }

    /// <summary>The batch is in the view (or was rejected by the journal, and never will be).</summary>
    public void Applied(IReadOnlyList<BatchOperation> operations)
    {
        foreach (var operation in operations)
        {
            if (_inFlight.TryGetValue(operation.Key, out var count))
            {
                if (count <= 1)
                {
                    _inFlight.Remove(operation.Key);
                }
                else
                {
                    _inFlight[operation.Key] = count - 1;
                }
            }
        }
    }

    /// <summary>Looks at the value's size only: the value itself is never copied (a removed value may be 1 MiB).</summary>
    internal static bool Exists(IKeyValueStore view, byte[] key)
    {
        var found = false;
        view.GetWhile([key], (_, _) =>
        {
            found = true;
            return false;
        });
        return found;
    }
}
