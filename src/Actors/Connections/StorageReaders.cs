using Akka.Actor;
using MwgActors.Actors.Storage;

namespace MwgActors.Actors.Connections;

/// <summary>
/// Where the connection's gets go: the in-process view when the storage actor shares one, else its reader pool once
/// known (reads never wait in the writer's mailbox), else the storage actor itself. When the pool dies (the storage
/// actor restarts) or the view closes, reads fall back until the new pool is known.
/// </summary>
/// <remarks>Plain state, used by the connection actor only.</remarks>
internal sealed class StorageReaders(IActorRef storage)
{
    /// <summary>How long after losing the pool the connection asks the storage actor again.</summary>
    public static readonly TimeSpan AskAgainAfter = TimeSpan.FromSeconds(1);

    private IActorRef? _pool;

    /// <summary>The in-process view to read from, while it is open.</summary>
    public SharedView? LocalView { get; private set; }

    /// <summary>Where a get that is not read from the view goes.</summary>
    public IActorRef ReadTarget => _pool ?? storage;

    /// <summary>The storage actor told its pool (and view); the actor watches <paramref name="readers"/>' pool.</summary>
    public void Known(StorageProtocol.Readers readers)
    {
        _pool = readers.Pool;
        LocalView = readers.LocalView;
    }

    /// <summary>The view closed (the storage actor is stopping or restarting): reads go to the pool.</summary>
    public void ViewClosed() => LocalView = null;

    /// <summary>An actor the connection watches died: true when it was the pool (then ask again after <see cref="AskAgainAfter"/>).</summary>
    public bool Terminated(IActorRef actor)
    {
        if (!actor.Equals(_pool))
        {
            return false;
        }

        _pool = null;
        LocalView = null;
        return true;
    }
}
