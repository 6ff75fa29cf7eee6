using Akka.Actor;
using MwgActors.Actors.Storage;
using static MwgActors.Actors.Storage.StorageProtocol;

namespace MwgActors.Actors.Cluster;

/// <summary>
/// Cluster mode, one per node at /user/mwg-storage, where connections and the in-process API send everything meant
/// for "the storage actor". Writes go to the writer singleton with a correlation id of this actor's, so it knows
/// what is in flight: while no writer is usable (moving after its node died or left, or recovering) a write is
/// answered at once <see cref="StorageFailure.Unavailable"/> (retryable), and the writes in flight when the writer
/// is lost are answered the same way. A write is acknowledged only with the writer's <see cref="BatchCommitted"/>,
/// sent after the journal stored it. Reads go to this node's view, or, on a node without the storage role, to the
/// view of a reachable storage node (and fail as retryable when that node is lost).
/// </summary>
internal sealed class WriterClientActor : SingletonClientActor
{
    /// <summary>The manager's actor name: the writer runs at /user/mwg-writer/singleton on the oldest storage node.</summary>
    public const string ManagerName = "mwg-writer";

    private readonly IActorRef? _localView;
    private readonly Dictionary<long, InFlight> _inFlight = [];
    private long _nextCorrelation;
    private int _nextView;

    public WriterClientActor(ClusterSettings settings, IActorRef? localView)
        : base(settings, ManagerName)
    {
        _localView = localView;

        Receive<WriteBatch>(OnWrite);
        Receive<BatchCommitted>(committed => Complete(committed.CorrelationId, c => committed with { CorrelationId = c }));
        Receive<StorageFailed>(failed => Complete(failed.CorrelationId, c => failed with { CorrelationId = c }));
        Receive<KeysRead>(read => Complete(read.CorrelationId, c => read with { CorrelationId = c }));
        Receive<CurrentRevision>(_ => MarkReady()); // the probe's answer: the writer has recovered

        Receive<ReadKeys>(OnRead);
        Receive<ScanPrefix>(scan => ToView(scan));
        Receive<GetCurrentRevision>(ask => ToView(ask));
        Receive<GetReaders>(ask =>
        {
            if (_localView is not null)
            {
                _localView.Forward(ask);
            }
            else
            {
                Sender.Tell(new Readers(Self)); // reads come here and go on to a storage node
            }
        });
    }

    public static Props Props(ClusterSettings settings, IActorRef? localView) =>
        Akka.Actor.Props.Create(() => new WriterClientActor(settings, localView));

    protected override void Probe(IActorRef singleton) => singleton.Tell(GetCurrentRevision.Instance);

    protected override void OnLost() => FailWhere(f => f.IsWrite);

    protected override void OnNodeLost(Address node) => FailWhere(f => !f.IsWrite && f.Node == node);

    private void OnWrite(WriteBatch write)
    {
        if (!IsReady)
        {
            Sender.Tell(new StorageFailed(StorageFailure.Unavailable, Retryable: true, write.CorrelationId));
            return;
        }

        var correlation = ++_nextCorrelation;
        _inFlight[correlation] = new InFlight(Sender, write.CorrelationId, true, Singleton.Path.Address);
        Singleton.Tell(write with { CorrelationId = correlation });
    }

    private void OnRead(ReadKeys read)
    {
        if (_localView is not null)
        {
            _localView.Forward(read);
            return;
        }

        if (PickView() is not { } view)
        {
            Sender.Tell(new StorageFailed(StorageFailure.Unavailable, Retryable: true, read.CorrelationId));
            return;
        }

        var correlation = ++_nextCorrelation;
        _inFlight[correlation] = new InFlight(Sender, read.CorrelationId, false, view.Anchor.Path.Address);
        view.Tell(read with { CorrelationId = correlation });
    }

    private void ToView(object message)
    {
        if (_localView is not null)
        {
            _localView.Forward(message);
        }
        else if (PickView() is { } view)
        {
            view.Tell(message, Sender);
        }
    }

    /// <summary>A storage node's view, taken in turn among the reachable ones.</summary>
    private ActorSelection? PickView()
    {
        var nodes = ReachableStorageNodes;
        if (nodes.Count == 0)
        {
            return null;
        }

        var node = nodes[(int)((uint)_nextView++ % (uint)nodes.Count)];
        return Context.ActorSelection(new RootActorPath(node) / "user" / ClusterNames.View);
    }

    private void Complete<T>(long correlation, Func<long, T> withCallerCorrelation)
    {
        if (_inFlight.Remove(correlation, out var pending))
        {
            pending.ReplyTo.Tell(withCallerCorrelation(pending.CorrelationId)!);
        }
    }

    private void FailWhere(Func<InFlight, bool> lost)
    {
        foreach (var (correlation, pending) in _inFlight.Where(p => lost(p.Value)).ToArray())
        {
            _inFlight.Remove(correlation);
            pending.ReplyTo.Tell(new StorageFailed(StorageFailure.Unavailable, Retryable: true, pending.CorrelationId));
        }
    }

    private readonly record struct InFlight(IActorRef ReplyTo, long CorrelationId, bool IsWrite, Address Node);
}
