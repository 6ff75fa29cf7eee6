using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace MwgActors.Actors.Cluster;

/// <summary>
/// Finds a cluster singleton that runs on a storage node and says when it is usable, so the subclasses can answer
/// at once instead of letting requests wait (a singleton proxy buffers while the singleton moves, and what it sent
/// to a node that died is never answered). The singleton is looked up with Identify on every reachable storage
/// node, watched, and probed; it is usable once the probe is answered (it has recovered). It is lost when it
/// stops, when its node becomes unreachable or leaves: the subclass then fails what it has in flight as retryable.
/// </summary>
internal abstract class SingletonClientActor : ReceiveActor, IWithTimers
{
    private const string LocateTimer = "locate";

    private readonly ClusterSettings _settings;
    private readonly string _managerName;
    private readonly Dictionary<Address, Member> _storageMembers = [];
    private readonly HashSet<Address> _unreachable = [];
    private IActorRef? _singleton;
    private long _lookup;

    protected SingletonClientActor(ClusterSettings settings, string managerName)
    {
        _settings = settings;
        _managerName = managerName;

        Receive<ClusterEvent.IMemberEvent>(OnMemberEvent);
        Receive<ClusterEvent.UnreachableMember>(m =>
        {
            _unreachable.Add(m.Member.Address);
            if (_singleton?.Path.Address == m.Member.Address)
            {
                Lose("its node is unreachable");
            }

            OnNodeLost(m.Member.Address);
        });
        Receive<ClusterEvent.ReachableMember>(m => _unreachable.Remove(m.Member.Address));
        Receive<ClusterEvent.CurrentClusterState>(_ => { });
        Receive<ActorIdentity>(OnIdentity);
        Receive<Terminated>(m =>
        {
            if (m.ActorRef.Equals(_singleton))
            {
                Lose("it stopped");
            }
        });
        Receive<Locate>(_ => OnLocateTick());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected ILoggingAdapter Log { get; } = Context.GetLogger();

    /// <summary>The singleton has answered its probe: requests may go to it.</summary>
    protected bool IsReady { get; private set; }

    protected IActorRef Singleton => _singleton ?? throw new InvalidOperationException("no singleton");

    /// <summary>Storage nodes that are up and reachable, oldest first.</summary>
    protected IReadOnlyList<Address> ReachableStorageNodes =>
        [.. _storageMembers.Values
            .Where(m => m.Status is MemberStatus.Up or MemberStatus.WeaklyUp && !_unreachable.Contains(m.Address))
            .OrderBy(m => m, Member.AgeOrdering)
            .Select(m => m.Address)];

    protected override void PreStart()
    {
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(
            Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        Timers.StartPeriodicTimer(LocateTimer, Locate.Instance, _settings.LocateInterval);
    }

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    /// <summary>Sends the probe whose answer tells that the singleton has recovered (resent every locate interval).</summary>
    protected abstract void Probe(IActorRef singleton);

    /// <summary>The singleton is gone: fail every request sent to it and not yet answered.</summary>
    protected abstract void OnLost();

    /// <summary>A node became unreachable or left (subclasses with requests on other nodes fail those).</summary>
    protected virtual void OnNodeLost(Address node)
    {
    }

    /// <summary>Called by the subclass when the probe is answered.</summary>
    protected void MarkReady()
    {
        if (!IsReady && _singleton is not null)
        {
            IsReady = true;
            Log.Info("{0} is available at {1}", _managerName, _singleton.Path.Address);
        }
    }

    /// <summary>Whether <paramref name="sender"/> is on the node of the current singleton (a reply of this incarnation).</summary>
    protected bool FromSingletonNode(IActorRef sender) => _singleton is not null && sender.Path.Address == _singleton.Path.Address;

    private void OnMemberEvent(ClusterEvent.IMemberEvent e)
    {
        var member = e.Member;
        if (!member.HasRole(ClusterSettings.StorageRole))
        {
            return;
        }

        if (member.Status is MemberStatus.Removed or MemberStatus.Down or MemberStatus.Exiting)
        {
            _storageMembers.Remove(member.Address);
            _unreachable.Remove(member.Address);
            if (_singleton?.Path.Address == member.Address && member.Status != MemberStatus.Exiting)
            {
                Lose("its node left the cluster");
            }

            OnNodeLost(member.Address);
        }
        else
        {
            _storageMembers[member.Address] = member;
        }
    }

    private void OnLocateTick()
    {
        if (_singleton is not null)
        {
            if (!IsReady)
            {
                Probe(_singleton);
            }

            return;
        }

        var lookup = ++_lookup;
        foreach (var node in _storageMembers.Keys.Where(a => !_unreachable.Contains(a)))
        {
            Context.ActorSelection(new RootActorPath(node) / "user" / _managerName / "singleton").Tell(new Identify(lookup));
        }
    }

    private void OnIdentity(ActorIdentity identity)
    {
        if (_singleton is not null || identity.Subject is not { } found || identity.MessageId is not long lookup || lookup != _lookup)
        {
            return;
        }

        _singleton = found;
        Context.Watch(found);
        Probe(found);
    }

    private void Lose(string why)
    {
        if (_singleton is null)
        {
            return;
        }

        Log.Info("{0} at {1} is lost ({2}); requests fail as retryable until it is found again", _managerName, _singleton.Path.Address, why);
        Context.Unwatch(_singleton);
        _singleton = null;
        IsReady = false;
        ++_lookup;
        OnLost();
    }

    private sealed class Locate
    {
        public static readonly Locate Instance = new();
    }
}
