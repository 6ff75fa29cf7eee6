using MwgActors.Actors.Storage;

namespace MwgActors.Actors.Cluster;

/// <summary>
/// Cluster mode: this storage node's view, lent by its <see cref="StorageViewActor"/> to the writer when the writer
/// singleton runs on the same node, so the writer can tell a remove of an absent key (which changes nothing, as in
/// etcd) from one that changes the store. Empty while the view is not open; the writer then keeps every remove.
/// </summary>
public sealed class LocalView
{
    private volatile SharedView? _view;

    public void Lend(SharedView view) => _view = view;

    public void Withdraw() => _view = null;

    /// <summary>
    /// Whether <paramref name="key"/> exists, when the view has applied at least <paramref name="revision"/> (every
    /// batch the writer committed); null when it cannot say (no view here, closed, or behind).
    /// </summary>
    public bool? Exists(byte[] key, long revision) =>
        _view is { } view && view.TryExists(key, out var exists, out var applied) && applied >= revision ? exists : null;
}
