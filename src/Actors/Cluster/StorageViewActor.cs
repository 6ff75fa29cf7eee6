using Akka.Actor;
using Akka.Event;
using Akka.Persistence.Query;
using Akka.Routing;
using Akka.Streams;
using Akka.Streams.Dsl;
using MwgActors.Actors.PubSub;
using MwgActors.Actors.Storage;
using MwgActors.Actors.Subscriptions;
using MwgActors.Storage;
using static MwgActors.Actors.Storage.StorageProtocol;

namespace MwgActors.Actors.Cluster;

/// <summary>
/// Cluster mode, one per storage node: this node's view of the store (RocksDB in mwg.storage.path, or memory), kept
/// by following the shared journal, and the reader pool that serves gets from it. Two sources feed it, both applied
/// only when they carry the next revision: the journal query (Akka.Persistence.Query events by persistence id, which
/// polls), and the committed batches of the change bus, which arrive sooner. A read that asks for at least revision
/// R waits here until the view has applied R (read-your-writes through any node), or fails as retryable after
/// mwg.cluster.read-wait-timeout. <see cref="GetCurrentRevision"/> is answered once the view has caught up with
/// the journal as it stood when the view started: the node is then ready.
/// </summary>
internal sealed class StorageViewActor : ReceiveActor, IWithTimers
{
    private const string SweepTimer = "sweep";
    private const string RestartTimer = "restart";
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly StorageSettings _storage;
    private readonly ClusterSettings _cluster;
    private readonly SubscriptionSettings _subscriptions;
    private readonly Func<IKeyValueStore> _openStore;
    private readonly IChangeBus _bus;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<ParkedRead> _parked = [];
    private readonly List<IActorRef> _waitingForReady = [];
    private IKeyValueStore? _store;
    private IActorRef _readers = ActorRefs.Nobody;
    private SharedView? _sharedView;

    // Lent to the writer when it runs on this node (see LocalView); its own SharedView, since inline reads may be off.
    private readonly LocalView? _localView;
    private SharedView? _writerView;
    private IEventsByPersistenceIdQuery? _query;
    private UniqueKillSwitch? _stream;
    private long _streamGeneration;
    private long? _readyAt;
    private long _positionToken;

    public StorageViewActor(StorageSettings storage, ClusterSettings cluster, SubscriptionSettings subscriptions, Func<IKeyValueStore> openStore, IChangeBus bus, LocalView? localView)
    {
        _localView = localView;
        _storage = storage;
        _cluster = cluster;
        _subscriptions = subscriptions;
        _openStore = openStore;
        _bus = bus;

        Receive<ReadKeys>(OnRead);
        Receive<ScanPrefix>(scan => _readers.Forward(scan));
        Receive<GetReaders>(_ => Sender.Tell(new Readers(_readers, _sharedView)));
        Receive<GetCurrentRevision>(_ =>
        {
            if (IsReady)
            {
                Sender.Tell(new CurrentRevision(Applied));
            }
            else
            {
                _waitingForReady.Add(Sender);
            }
        });
        Receive<ChangesCommitted>(committed =>
        {
            if (committed.Revision == Applied + 1)
            {
                Apply(committed.Revision, committed.Operations);
            }
        });
        Receive<ChangeBusReady>(_ => { });

        Receive<QueryReady>(ready =>
        {
            _query = ready.Query;
            StartStream();
        });
        Receive<QueryFailed>(failed =>
        {
            _log.Warning(failed.Cause, "The journal query plugin {0} could not be started; retrying", SqlPlugins.Query);
            Timers.StartSingleTimer(RestartTimer, RestartStream.Instance, RetryDelay);
        });
        Receive<RestartStream>(_ =>
        {
            if (_query is null)
            {
                StartQuery();
            }
            else
            {
                StartStream();
            }
        });
        Receive<StreamInit>(_ => Sender.Tell(StreamAck.Instance));
        Receive<EventEnvelope>(envelope =>
        {
            OnJournalEvent(envelope.SequenceNr, envelope.Event);
            Sender.Tell(StreamAck.Instance);
        });
        Receive<StreamEnded>(ended =>
        {
            if (ended.Generation == _streamGeneration)
            {
                _log.Warning(ended.Cause, "Following the journal stopped at revision {0}; restarting", Applied);
                Timers.StartSingleTimer(RestartTimer, RestartStream.Instance, RetryDelay);
            }
        });

        Receive<JournalReader.ReplayEnded>(ended =>
        {
            if (ended.Token == _positionToken)
            {
                _readyAt = ended.HighestSequenceNr;
                _log.Info("View at revision {0}; ready once at revision {1}", Applied, ended.HighestSequenceNr);
                AnswerIfReady();
            }
        });
        Receive<JournalReader.ReplayFailed>(failed =>
        {
            _log.Warning(failed.Cause, "Reading the journal's position failed; retrying");
            Timers.StartSingleTimer("position", ReadPosition.Instance, RetryDelay);
        });
        Receive<JournalReader.Replayed>(_ => { });
        Receive<ReadPosition>(_ => StartPositionRead());
        Receive<Sweep>(_ => FailOverdueReads());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private long Applied => _store!.AppliedRevision;

    private bool IsReady => _readyAt is { } target && Applied >= target;

    /// <param name="localView">Where the view is lent to the writer singleton when it runs on this node.</param>
    public static Props Props(StorageSettings storage, ClusterSettings cluster, SubscriptionSettings subscriptions, Func<IKeyValueStore> openStore, IChangeBus bus, LocalView? localView) =>
        Akka.Actor.Props.Create(() => new StorageViewActor(storage, cluster, subscriptions, openStore, bus, localView)).WithDispatcher(storage.Dispatcher);

    protected override void PreStart()
    {
        _store = _openStore();
        _readers = Context.ActorOf(
            StorageReaderActor.Props(_store, Self)
                .WithDispatcher(_storage.ReaderDispatcher)
                .WithRouter(new RoundRobinPool(_storage.ReaderCount)),
            "readers");

        // Connections of this node may read the view on their own thread (mwg.storage.inline-reads); one that asks for
        // a revision the view has not reached sends its read here instead, to wait.
        _sharedView = _storage.InlineReads ? new SharedView(_store) : null;
        if (_localView is not null)
        {
            _writerView = new SharedView(_store);
            _localView.Lend(_writerView);
        }

        _bus.Subscribe(Self);
        StartPositionRead();
        StartQuery();
        var sweep = TimeSpan.FromMilliseconds(Math.Clamp(_cluster.ReadWaitTimeout.TotalMilliseconds / 10, 20, 500));
        Timers.StartPeriodicTimer(SweepTimer, Sweep.Instance, sweep);
    }

    protected override void PostStop()
    {
        _stream?.Shutdown();
        _bus.Unsubscribe(Self);
        _sharedView?.Close();
        _localView?.Withdraw();
        _writerView?.Close();
        _store?.Dispose();
        _store = null;
    }

    private void StartPositionRead()
    {
        var journal = Akka.Persistence.Persistence.Instance.Apply(Context.System).JournalFor(_subscriptions.JournalPluginId);
        Context.ActorOf(JournalReader.Props(journal, _storage.PersistenceId, 1, 0, 0, ++_positionToken));
    }

    private void StartQuery()
    {
        // The plugin's constructor blocks until the journal has created its tables: not on this actor's thread.
        var system = Context.System;
        Task.Run(() => PersistenceQuery.Get(system).ReadJournalFor<IEventsByPersistenceIdQuery>(SqlPlugins.Query))
            .PipeTo(Self, success: query => new QueryReady(query), failure: cause => new QueryFailed(cause));
    }

    private void StartStream()
    {
        _stream?.Shutdown();
        var generation = ++_streamGeneration;
        _stream = _query!.EventsByPersistenceId(_storage.PersistenceId, Applied + 1, long.MaxValue)
            .ViaMaterialized(KillSwitches.Single<EventEnvelope>(), Keep.Right)
            .To(Sink.ActorRefWithAck<EventEnvelope>(
                Self,
                StreamInit.Instance,
                StreamAck.Instance,
                new StreamEnded(generation, null),
                cause => new StreamEnded(generation, cause)))
            .Run(Context.Materializer());
    }

    private void OnJournalEvent(long revision, object payload)
    {
        if (revision <= Applied)
        {
            return; // the change bus was faster
        }

        if (revision != Applied + 1)
        {
            _log.Error("The journal lacks revisions {0} to {1}: this view misses them (was the journal trimmed?)", Applied + 1, revision - 1);
        }

        if (payload is KeysChanged changed)
        {
            Apply(revision, changed.Operations);
        }
    }

    private void Apply(long revision, IReadOnlyList<BatchOperation> operations)
    {
        _store!.Write(new KeyValueBatch(operations).WithRevision(revision));
        if (_parked.Count > 0)
        {
            for (var i = _parked.Count - 1; i >= 0; i--)
            {
                var parked = _parked[i];
                if (parked.Read.MinRevision <= revision)
                {
                    _parked.RemoveAt(i);
                    _readers.Tell(parked.Read, parked.ReplyTo);
                }
            }
        }

        AnswerIfReady();
    }

    private void AnswerIfReady()
    {
        if (_waitingForReady.Count == 0 || !IsReady)
        {
            return;
        }

        foreach (var asker in _waitingForReady)
        {
            asker.Tell(new CurrentRevision(Applied));
        }

        _waitingForReady.Clear();
    }

    private void OnRead(ReadKeys read)
    {
        if (read.MinRevision <= Applied)
        {
            _readers.Forward(read);
            return;
        }

        _parked.Add(new ParkedRead(read, Sender, Environment.TickCount64 + (long)_cluster.ReadWaitTimeout.TotalMilliseconds));
    }

    private void FailOverdueReads()
    {
        var now = Environment.TickCount64;
        for (var i = _parked.Count - 1; i >= 0; i--)
        {
            var parked = _parked[i];
            if (parked.DeadlineTicks <= now)
            {
                _parked.RemoveAt(i);
                parked.ReplyTo.Tell(new StorageFailed(StorageFailure.Unavailable, Retryable: true, parked.Read.CorrelationId));
            }
        }
    }

    private readonly record struct ParkedRead(ReadKeys Read, IActorRef ReplyTo, long DeadlineTicks);

    private sealed record QueryReady(IEventsByPersistenceIdQuery Query);

    private sealed record QueryFailed(Exception Cause);

    private sealed record StreamEnded(long Generation, Exception? Cause);

    private sealed class StreamInit
    {
        public static readonly StreamInit Instance = new();
    }

    private sealed class StreamAck
    {
        public static readonly StreamAck Instance = new();
    }

    private sealed class RestartStream
    {
        public static readonly RestartStream Instance = new();
    }

    private sealed class ReadPosition
    {
        public static readonly ReadPosition Instance = new();
    }

    private sealed class Sweep
    {
        public static readonly Sweep Instance = new();
    }
}
