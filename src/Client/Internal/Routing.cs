using MwgActors.Protocol;

namespace MwgActors.Client.Internal;

/// <summary>
/// Which subscription each server-side id of one connection belongs to. Touched only on that connection's receive
/// loop (pushes and the in-loop reply hooks), except <see cref="PendingBinds"/>. The server replays a resumed
/// subscription's changes before its SUBSCRIBED reply names the id, so pushes for an id not bound yet wait in
/// <see cref="Unclaimed"/> until the reply binds it.
/// </summary>
internal sealed class Routing
{
    private int _pendingBinds;

    public Dictionary<long, ClientSubscription> Bound { get; } = [];

    public Dictionary<long, List<Push>> Unclaimed { get; } = [];

    public int PendingBinds => Volatile.Read(ref _pendingBinds);

    public void BindStarted() => Interlocked.Increment(ref _pendingBinds);

    /// <summary>The caller gave up waiting for the reply (off the loop): only the count changes.</summary>
    public void BindAbandoned() => Interlocked.Decrement(ref _pendingBinds);

    /// <summary>The reply arrived (on the loop).</summary>
    public void BindEnded()
    {
        if (Interlocked.Decrement(ref _pendingBinds) == 0)
        {
            // A failed subscribe's id is never bound: what waited for it is dropped once nothing else is pending.
            Unclaimed.Clear();
        }
    }
}
