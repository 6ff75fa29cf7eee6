namespace MwgActors.Actors.Connections;

/// <summary>
/// Matches the lock actor's replies to this connection's lock and unlock requests. Those replies carry no correlation
/// id yet, and the lock actor answers in order, so the correlation ids of the requests wait here in order; the
/// requests themselves are ordinary <see cref="RequestTable"/> entries. Once the lock messages carry a correlation id,
/// this class goes: a reply names its entry in the table, like a storage reply does.
/// </summary>
internal sealed class LockReplyOrder
{
    private readonly Queue<long> _order = new();

    public int Count => _order.Count;

    /// <summary>A lock or unlock request was sent under <paramref name="correlation"/>.</summary>
    public void Sent(long correlation) => _order.Enqueue(correlation);

    /// <summary>The correlation id the next reply of the lock actor answers; false when none is awaited.</summary>
    public bool TryNext(out long correlation) => _order.TryDequeue(out correlation);

    /// <summary>
    /// A lock request timed out: the lock actor always answers, so it is gone (restarting). Every request still awaited
    /// fails with it, which keeps the order aligned with whatever replies come later; returns their correlation ids.
    /// </summary>
    public long[] GiveUp()
    {
        var all = _order.ToArray();
        _order.Clear();
        return all;
    }
}
