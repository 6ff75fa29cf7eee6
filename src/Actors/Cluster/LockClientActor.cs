using Akka.Actor;
using MwgActors.Actors.Locks;
using static MwgActors.Actors.Locks.LockProtocol;

namespace MwgActors.Actors.Cluster;

/// <summary>
/// Cluster mode, one per node at /user/mwg-locks: forwards lock requests to the lock table singleton, which leases
/// each prefix to one owner cluster-wide and journals it in the shared journal. The lock table answers in order,
/// so the requests in flight are a queue; when the singleton is lost each gets
/// <see cref="LockRefusal.Unavailable"/> (retryable), and so does every request while no lock table is usable.
/// Lease renewals from live connections go through too (they re-attach leases after a failover).
/// </summary>
internal sealed class LockClientActor : SingletonClientActor
{
    /// <summary>The manager's actor name: the lock table runs at /user/mwg-lock-table/singleton on the oldest storage node.</summary>
    public const string ManagerName = "mwg-lock-table";

    // Who waits for each answer of the lock table, in order; null for this actor's own probe.
    private readonly Queue<IActorRef?> _inFlight = new();

    public LockClientActor(ClusterSettings settings)
        : base(settings, ManagerName)
    {
        Receive<AcquirePrefix>(Send);
        Receive<ReleasePrefix>(Send);
        Receive<GetLeases>(Send);
        Receive<RenewLeases>(renew =>
        {
            if (IsReady)
            {
                Singleton.Tell(renew);
            }
        });

        Receive<PrefixGranted>(Answer);
        Receive<PrefixReleased>(Answer);
        Receive<PrefixRefused>(Answer);
        Receive<LeaseList>(Answer);
        Receive<Status.Failure>(Answer);
    }

    public static Props Props(ClusterSettings settings) => Akka.Actor.Props.Create(() => new LockClientActor(settings));

    protected override void Probe(IActorRef singleton)
    {
        _inFlight.Enqueue(null);
        singleton.Tell(GetLeases.Instance);
    }

    protected override void OnLost()
    {
        while (_inFlight.TryDequeue(out var waiting))
        {
            waiting?.Tell(new PrefixRefused(LockRefusal.Unavailable));
        }
    }

    private void Send(object request)
    {
        if (!IsReady)
        {
            Sender.Tell(new PrefixRefused(LockRefusal.Unavailable));
            return;
        }

        _inFlight.Enqueue(Sender);
        Singleton.Tell(request);
    }

    private void Answer(object reply)
    {
        // A late answer of a lock table that was already given up on is not for the requests queued since.
        if (!FromSingletonNode(Sender) || !_inFlight.TryDequeue(out var waiting))
        {
            return;
        }

        if (waiting is null)
        {
            MarkReady();
        }
        else
        {
            waiting.Tell(reply);
        }
    }
}
