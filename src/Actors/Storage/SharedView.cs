using MwgActors.Storage;

namespace MwgActors.Actors.Storage;

/// <summary>
/// The storage actor's view, lent to connection actors of the same process so a batched get is read on the
/// connection's own thread: two actor hops (to a reader and back) and their thread wake-ups are the largest cost of
/// a small read. The storage actor closes it before it disposes the store; a read that finds it closed goes through
/// the reader pool instead, and closing waits for the reads in progress (a native handle must not be freed under one).
/// </summary>
public sealed class SharedView
{
    private readonly IKeyValueStore _store;
    private int _readsInProgress;
    private volatile bool _closed;

    public SharedView(IKeyValueStore store) => _store = store;

    /// <summary>Reads <paramref name="keys"/> unless the view is closed (see <see cref="BoundedGet"/>).</summary>
    /// <param name="values">One per key; null when the reply would pass <paramref name="budget"/> (reading stopped there).</param>
    /// <param name="revision">The view's revision, read before the values: they are at least that new.</param>
    /// <exception cref="StoreException">The engine failed the read.</exception>
    public bool TryGet(IReadOnlyList<byte[]> keys, ReplyBudget? budget, out byte[]?[]? values, out long revision)
    {
        Interlocked.Increment(ref _readsInProgress);
        try
        {
            if (_closed)
            {
                values = [];
                revision = 0;
                return false;
            }

            revision = _store.AppliedRevision;
            values = BoundedGet.Read(_store, keys, budget);
            return true;
        }
        finally
        {
            Interlocked.Decrement(ref _readsInProgress);
        }
    }

    /// <summary>Whether <paramref name="key"/> exists, unless the view is closed; its value is never copied.</summary>
    /// <param name="revision">The view's revision, read before the key: the answer is at least that new.</param>
    public bool TryExists(byte[] key, out bool exists, out long revision)
    {
        Interlocked.Increment(ref _readsInProgress);
        try
        {
            exists = false;
            revision = 0;
            if (_closed)
            {
                return false;
            }

            revision = _store.AppliedRevision;
            var found = false;
            _store.GetWhile([key], (_, _) =>
            {
                found = true;
                return false;
            });
            exists = found;
            return true;
        }
        finally
        {
            Interlocked.Decrement(ref _readsInProgress);
        }
    }

    /// <summary>Refuses new reads and waits for those in progress (each is a few microseconds).</summary>
    public void Close()
    {
        _closed = true;
        var spin = new SpinWait();
        while (Volatile.Read(ref _readsInProgress) > 0)
        {
            spin.SpinOnce();
        }
    }
}
