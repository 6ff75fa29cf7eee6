using MwgActors.Protocol;
using MwgActors.Storage;

namespace MwgActors.Actors.Subscriptions;

/// <summary>
/// The change lists of one committed batch, in the type connections encode (<see cref="Change"/>), built so a large
/// fan-out costs one list rather than one per subscriber: a subscription whose prefixes match every operation of the
/// batch gets the batch's shared list for its include-values flag, built once; one that matches a leading run gets a
/// list of that run; only one whose matches have a gap gets its own list, from that gap on. No list copies a key or a
/// value: every <see cref="Change"/> refers to the batch's arrays. Not thread-safe, owned by the subscription actor.
/// </summary>
internal sealed class BatchChanges
{
    private IReadOnlyList<BatchOperation> _operations = [];
    private Change[]? _withValues;
    private Change[]? _withoutValues;

    /// <summary>Starts matching a new batch; the lists of the previous one are kept by whoever received them.</summary>
    public void Reset(IReadOnlyList<BatchOperation> operations)
    {
        _operations = operations;
        _withValues = null;
        _withoutValues = null;
    }

    /// <summary>
    /// Records that operation <paramref name="index"/> matches the subscription; indexes come in ascending order, each
    /// at most once per subscription. True on its first match in this batch.
    /// </summary>
    public bool Matched(Subscription sub, int index)
    {
        var first = sub.PendingCount == 0 && sub.PendingChanges is null;
        if (sub.PendingChanges is { } own)
        {
            own.Add(ChangeOf(_operations[index], sub.IncludeValues));
        }
        else if (index == sub.PendingCount)
        {
            sub.PendingCount++; // still a leading run: nothing to build yet
        }
        else
        {
            // The first gap: from here the subscription needs a list of its own.
            own = new List<Change>(sub.PendingCount + 1);
            for (var i = 0; i < sub.PendingCount; i++)
            {
                own.Add(ChangeOf(_operations[i], sub.IncludeValues));
            }

            own.Add(ChangeOf(_operations[index], sub.IncludeValues));
            sub.PendingChanges = own;
        }

        return first;
    }

    /// <summary>The subscription's changes in this batch (never empty after a <see cref="Matched"/>); clears its scratch.</summary>
    public IReadOnlyList<Change> Take(Subscription sub)
    {
        IReadOnlyList<Change> changes = sub.PendingChanges is { } own ? own
            : sub.PendingCount == _operations.Count ? Whole(sub.IncludeValues)
            : Head(sub.PendingCount, sub.IncludeValues);
        sub.PendingCount = 0;
        sub.PendingChanges = null;
        return changes;
    }

    public static Change ChangeOf(BatchOperation operation, bool includeValue) =>
        new(operation.Key, operation.IsRemove, includeValue ? operation.Value : null);

    private Change[] Whole(bool includeValues) =>
        includeValues
            ? _withValues ??= Head(_operations.Count, includeValues: true)
            : _withoutValues ??= Head(_operations.Count, includeValues: false);

    private Change[] Head(int count, bool includeValues)
    {
        var changes = new Change[count];
        for (var i = 0; i < count; i++)
        {
            changes[i] = ChangeOf(_operations[i], includeValues);
        }

        return changes;
    }
}
