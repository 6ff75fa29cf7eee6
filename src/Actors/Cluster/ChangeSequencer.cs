using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using MwgActors.Actors.PubSub;
using MwgActors.Actors.Storage;
using MwgActors.Actors.Subscriptions;

namespace MwgActors.Actors.Cluster;

/// <summary>
/// One per node: receives the writer's committed batches from DistributedPubSub and hands them to this node's
/// subscribers (the subscription actor, the view) contiguously and in revision order. DistributedPubSub delivers at
/// most once: a batch published by a writer whose node died, or published before this node's subscription reached the
/// writer's node, may never arrive. A revision that is missing when a later one (or the writer's
/// <see cref="LogPosition"/>) arrives is read from the shared journal, which holds every committed batch, before
/// anything after it is delivered. So subscribers see each revision once, with no gap, as on a single node.
/// </summary>
internal sealed class ChangeSequencer : ReceiveActor, IWithTimers
{
    private const string RetryTimer = "retry";

    // Batches that arrived ahead of a gap, held until the journal read fills it (beyond this, the read covers them).
    private const int MaxAhead = 10_000;

    private readonly string _topic;
    private readonly string _persistenceId;
    private readonly string _journalPluginId;
    private readonly int _replayBatchSize;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<IActorRef> _subscribers = [];
    private readonly SortedDictionary<long, ChangesCommitted> _ahead = [];
    private IActorRef _journal = ActorRefs.Nobody;
    private IActorRef? _reader;
    private long _readToken;
    private bool _known;
    private long _position;
    private long _target;

    public ChangeSequencer(ClusterSettings cluster, SubscriptionSettings subscriptions)
    {
        _topic = cluster.ChangesTopic;
        _persistenceId = subscriptions.StoragePersistenceId;
        _journalPluginId = subscriptions.JournalPluginId;
        _replayBatchSize = subscriptions.ReplayBatchSize;

        Receive<Register>(m =>
        {
            if (_subscribers.Add(m.Subscriber))
            {
                Context.Watch(m.Subscriber);
            }

            if (_known)
            {
                m.Subscriber.Tell(ChangeBusReady.Instance);
            }
        });
        Receive<Unregister>(m =>
        {
            _subscribers.Remove(m.Subscriber);
            Context.Unwatch(m.Subscriber);
        });
        Receive<Terminated>(m => _subscribers.Remove(m.ActorRef));
        Receive<SubscribeAck>(_ => { });
        Receive<ChangesCommitted>(OnCommitted);
        Receive<LogPosition>(m =>
        {
            _target = Math.Max(_target, m.Revision);
            ReadGap();
        });
        Receive<JournalReader.Replayed>(OnReplayed);
        Receive<JournalReader.ReplayEnded>(OnReplayEnded);
        Receive<JournalReader.ReplayFailed>(m =>
        {
            _log.Warning(m.Cause, "Reading the change log from revision {0} failed; retrying", _position + 1);
            _reader = null;
            Timers.StartSingleTimer(RetryTimer, Retry.Instance, TimeSpan.FromSeconds(1));
        });
        Receive<Retry>(_ => ReadGap());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ClusterSettings cluster, SubscriptionSettings subscriptions) =>
        Akka.Actor.Props.Create(() => new ChangeSequencer(cluster, subscriptions));

    protected override void PreStart()
    {
        _journal = Akka.Persistence.Persistence.Instance.Apply(Context.System).JournalFor(_journalPluginId);
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(_topic, Self));

        // First where the log stands: subscribers get every revision after it.
        StartRead(JournalReader.Props(_journal, _persistenceId, 1, 0, 0, ++_readToken));
    }

    private void OnCommitted(ChangesCommitted committed)
    {
        if (_known && committed.Revision <= _position)
        {
            return;
        }

        if (_known && _reader is null && committed.Revision == _position + 1)
        {
            Deliver(committed);
            DrainAhead();
            return;
        }

        _target = Math.Max(_target, committed.Revision);
        if (_ahead.Count < MaxAhead)
        {
            _ahead[committed.Revision] = committed;
        }

        ReadGap();
    }

    private void OnReplayed(JournalReader.Replayed m)
    {
        if (m.Token != _readToken || m.SequenceNr <= _position)
        {
            return;
        }

        if (m.SequenceNr != _position + 1)
        {
            // Only if someone trimmed the journal, which the cluster writer never does.
            _log.Error("The change log lacks revisions {0} to {1}; subscribers on this node miss them", _position + 1, m.SequenceNr - 1);
        }

        if (m.Payload is KeysChanged changed)
        {
            Deliver(new ChangesCommitted(m.SequenceNr, changed.Operations));
        }
        else
        {
            _position = m.SequenceNr;
        }
    }

    private void OnReplayEnded(JournalReader.ReplayEnded m)
    {
        if (m.Token != _readToken)
        {
            return;
        }

        _reader = null;
        if (!_known)
        {
            _known = true;
            _position = m.HighestSequenceNr;
            _log.Info("Change stream starts after revision {0}", _position);
            foreach (var subscriber in _subscribers)
            {
                subscriber.Tell(ChangeBusReady.Instance);
            }
        }

        _target = Math.Max(_target, m.HighestSequenceNr);
        DrainAhead();
        ReadGap();
    }

    /// <summary>Reads the journal from the first missing revision when something after it is known to be committed.</summary>
    private void ReadGap()
    {
        if (!_known || _reader is not null || _target <= _position)
        {
            return;
        }

        StartRead(JournalReader.Props(_journal, _persistenceId, _position + 1, _target, _replayBatchSize, ++_readToken));
    }

    private void StartRead(Props reader) => _reader = Context.ActorOf(reader);

    private void DrainAhead()
    {
        while (_ahead.Count > 0)
        {
            var (revision, committed) = _ahead.First();
            if (revision > _position + 1)
            {
                return;
            }

            _ahead.Remove(revision);
            if (revision == _position + 1)
            {
                Deliver(committed);
            }
        }
    }

    private void Deliver(ChangesCommitted committed)
    {
        _position = committed.Revision;
        foreach (var subscriber in _subscribers)
        {
            subscriber.Tell(committed);
        }
    }

    /// <summary>Adds a subscriber (local): it gets <see cref="ChangeBusReady"/>, then every revision in order.</summary>
    internal sealed record Register(IActorRef Subscriber);

    internal sealed record Unregister(IActorRef Subscriber);

    private sealed class Retry
    {
        public static readonly Retry Instance = new();
    }
}
