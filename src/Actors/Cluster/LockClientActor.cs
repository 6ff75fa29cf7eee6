using Akka.Actor;
using Akka.Event;
using MwgActors.Actors.Locks;
using static MwgActors.Actors.Locks.LockProtocol;

namespace MwgActors.Actors.Cluster;

/// <summary>
/// Cluster mode, one per node at /user/mwg-locks: forwards lock requests to the lock table singleton, which leases
/// each prefix to one owner cluster-wide and journals it in the shared journal. Requests from different connections
/// may carry the same correlation id, so each is forwarded under an id of this actor's own and its reply is mapped
/// back to the requester and its id. When the singleton is lost each request in flight gets
/// <see cref="LockRefusal.Unavailable"/> (retryable), and so does every request while no lock table is usable; a
/// late reply of a lock table given up on finds nothing waiting and is dropped.
/// Lease renewals from live connections go through too (they re-attach leases after a failover).
/// </summary>
internal sealed class LockClientActor : SingletonClientActor
{
    /// <summary>The manager's actor name: the lock table runs at /user/mwg-lock-table/singleton on the oldest storage node.</summary>
    public const string ManagerName = "mwg-lock-table";

    // Requests sent to the lock table and not yet answered, by the id this actor gave them.
    private readonly Dictionary<long, Waiting> _inFlight = [];
    private long _nextId;

    public LockClientActor(ClusterSettings settings)
        : base(settings, ManagerName)
    {
        Receive<AcquirePrefix>(acquire =>
        {
            // The lock table refuses this too, but with no id to match: refused here, as the lock table would.
            if (acquire.Owner is null)
            {
                Sender.Tell(new Status.Failure(new ArgumentException("AcquirePrefix needs an owner to watch", nameof(acquire))));
                return;
            }

            Send(acquire.CorrelationId, id => acquire with { CorrelationId = id });
        });
        Receive<ReleasePrefix>(release => Send(release.CorrelationId, id => release with { CorrelationId = id }));
        Receive<GetLeases>(get => Send(get.CorrelationId, id => new GetLeases(id)));
        Receive<RenewLeases>(renew =>
        {
            if (IsReady)
            {
                Singleton.Tell(renew);
            }
        });

        Receive<PrefixGranted>(granted => Answer(granted.CorrelationId, id => granted with { CorrelationId = id }));
        Receive<PrefixReleased>(released => Answer(released.CorrelationId, id => released with { CorrelationId = id }));
        Receive<PrefixRefused>(refused => Answer(refused.CorrelationId, id => refused with { CorrelationId = id }));
        Receive<LeaseList>(list => Answer(list.CorrelationId, id => list with { CorrelationId = id }));
        Receive<Status.Failure>(failure => Log.Warning(failure.Cause, "The lock table failed a request; it carries no id to match, dropped"));
    }

    public static Props Props(ClusterSettings settings) => Akka.Actor.Props.Create(() => new LockClientActor(settings));

    protected override void Probe(IActorRef singleton)
    {
        var id = ++_nextId;
        _inFlight[id] = Waiting.Probe;
        singleton.Tell(new GetLeases(id));
    }

    protected override void OnLost()
    {
        foreach (var waiting in _inFlight.Values)
        {
            waiting.ReplyTo?.Tell(new PrefixRefused(LockRefusal.Unavailable, waiting.CorrelationId));
        }

        _inFlight.Clear();
    }

    private void Send(long correlationId, Func<long, object> request)
    {
        if (!IsReady)
        {
            Sender.Tell(new PrefixRefused(LockRefusal.Unavailable, correlationId));
            return;
        }

        var id = ++_nextId;
        _inFlight[id] = new Waiting(Sender, correlationId);
        Singleton.Tell(request(id));
    }

    private void Answer(long id, Func<long, object> reply)
    {
        // Ids are never reused, and those of a lock table given up on were failed and forgotten: a late reply matches nothing.
        if (!_inFlight.Remove(id, out var waiting))
        {
            return;
        }

        if (waiting.ReplyTo is null)
        {
            MarkReady();
        }
        else
        {
            waiting.ReplyTo.Tell(reply(waiting.CorrelationId));
        }
    }

    /// <summary>Who waits for a reply and under which id; no one for this actor's own probe.</summary>
    private sealed record Waiting(IActorRef? ReplyTo, long CorrelationId)
    {
        public static readonly Waiting Probe = new(null, 0);
    }
}
