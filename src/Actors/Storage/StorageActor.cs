using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Akka.Routing;
using MwgActors.Actors.Cluster;
using MwgActors.Actors.Diagnostics;
using MwgActors.Actors.PubSub;
using MwgActors.Storage;
using static MwgActors.Actors.Storage.StorageProtocol;

namespace MwgActors.Actors.Storage;

/// <summary>
/// The single writer of the key/value world. Event-sourced: every committed batch is one <see cref="KeysChanged"/>
/// event whose journal sequence number is its revision. The store (RocksDB's data column family, or memory) is the
/// materialized view, written after the event is journaled; on start the actor replays what the view has not
/// applied yet. Batches are journaled with PersistAsync, so the journal groups the writes that arrive while one is
/// on disk (group commit) instead of paying one disk round trip per put.
/// </summary>
/// <remarks>
/// In cluster mode the actor runs as the cluster singleton <em>writer</em>, without a view (see
/// <see cref="WriterProps"/>): each storage node keeps its own view that follows the shared journal. The writer
/// recovers only the highest revision (no replay), takes no snapshots and never trims the journal (it is every
/// view's source), publishes its position so nodes notice lost notifications, and on <see cref="HandOver"/>
/// (a handover) answers the batches in flight, refuses new ones as retryable, and stops. To leave out removes of
/// absent keys it asks the view of its own node (<see cref="LocalView"/>), only when that view has applied every
/// batch the writer committed; otherwise it keeps the remove.
/// </remarks>
public sealed class StorageActor : ReceivePersistentActor, IWithTimers
{
    private const string RetentionTimer = "retention";
    private const string PositionTimer = "position";

    private readonly StorageSettings _settings;
    private readonly Func<IKeyValueStore>? _openStore;
    private readonly TimeSpan _positionInterval;
    private readonly IChangeBus _bus;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly MwgMetrics _metrics = MwgMetrics.Get(Context.System);

    // Writers whose batch is journaled but not yet handled, in persist order, to answer them if the journal fails.
    private readonly Queue<(IActorRef Writer, long CorrelationId, IReadOnlyList<BatchOperation> Operations)> _pendingWriters = new();

    // Leaves out of each batch what changes nothing (a remove of an absent key), against the view and the batches in flight.
    private readonly ChangeFilter _changes = new();
    private readonly LocalView? _localView;
    private readonly RetentionPolicy _retention;

    private IKeyValueStore? _store;
    private IActorRef _readers = ActorRefs.Nobody;
    private SharedView? _sharedView;
    private long _lastSnapshotRevision;
    private bool _snapshotInFlight;
    private bool _stopping;

    public StorageActor(StorageSettings settings, Func<IKeyValueStore> openStore, IChangeBus bus)
        : this(settings, openStore, bus, TimeSpan.Zero, null)
    {
    }

    /// <param name="openStore">Null for the cluster writer, which keeps no view.</param>
    /// <param name="positionInterval">How often the writer publishes its position (cluster writer only).</param>
    /// <param name="localView">The view of the writer's node (cluster writer only), asked whether removed keys exist.</param>
    public StorageActor(StorageSettings settings, Func<IKeyValueStore>? openStore, IChangeBus bus, TimeSpan positionInterval, LocalView? localView)
    {
        _localView = localView;
        _settings = settings;
        _openStore = openStore;
        _bus = bus;
        _positionInterval = positionInterval;
        _retention = new RetentionPolicy(settings.RetainRevisions, settings.RetainAge);
        JournalPluginId = settings.JournalPluginId;
        SnapshotPluginId = settings.SnapshotPluginId;

        Recover<SnapshotOffer>(offer => _lastSnapshotRevision = ((StorageSnapshot)offer.Snapshot).Revision);
        Recover<KeysChanged>(OnRecovered);
        Recover<RecoveryCompleted>(_ => OnRecoveryCompleted());

        Command<WriteBatch>(OnWrite);
        Command<ReadKeys>(read => ToReaders(read, read.CorrelationId));
        Command<ScanPrefix>(scan => ToReaders(scan, 0));
        Command<GetReaders>(_ => Sender.Tell(new Readers(_readers, _sharedView)));
        Command<GetCurrentRevision>(_ => Sender.Tell(new CurrentRevision(LastSequenceNr)));
        Command<RetentionTick>(_ => MaybeSnapshot(force: true));
        Command<PositionTick>(_ => _bus.PublishPosition(LastSequenceNr));
        Command<HandOver>(_ => OnHandOver());
        Command<SaveSnapshotSuccess>(OnSnapshotSaved);
        Command<SaveSnapshotFailure>(failure =>
        {
            _snapshotInFlight = false;
            _log.Warning(failure.Cause, "Snapshot at revision {Revision} failed; the journal is kept until the next one", failure.Metadata.SequenceNr);
        });
        Command<DeleteMessagesSuccess>(ok => _log.Debug("Journal trimmed up to revision {Revision}", ok.ToSequenceNr));
        Command<DeleteMessagesFailure>(failure => _log.Warning(failure.Cause, "Trimming the journal up to revision {Revision} failed", failure.ToSequenceNr));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(failure => _log.Warning(failure.Cause, "Deleting old snapshots failed"));
    }

    public override string PersistenceId => _settings.PersistenceId;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>
    /// Replays from the newest snapshot the view already covers, so only what the view lacks is re-applied. The
    /// cluster writer has no view: it only learns the highest revision, so a failover replays nothing.
    /// </summary>
    public override Recovery Recovery => _openStore is null ? Recovery.None : new(new SnapshotSelectionCriteria(Store.AppliedRevision));

    private IKeyValueStore Store => _store ?? throw new InvalidOperationException("the store is not open");

    public static Props Props(StorageSettings settings, Func<IKeyValueStore> openStore, IChangeBus bus) =>
        Akka.Actor.Props.Create(() => new StorageActor(settings, openStore, bus)).WithDispatcher(settings.Dispatcher);

    /// <summary>The cluster writer: no view, no readers, no snapshots; its position published every <paramref name="positionInterval"/>.</summary>
    public static Props WriterProps(StorageSettings settings, IChangeBus bus, TimeSpan positionInterval, LocalView localView) =>
        Akka.Actor.Props.Create(() => new StorageActor(settings, null, bus, positionInterval, localView)).WithDispatcher(settings.Dispatcher);

    /// <summary>Opens the store first: Akka reads <see cref="Recovery"/> (which asks the view) before PreStart.</summary>
    public override void AroundPreStart()
    {
        _store = _openStore?.Invoke();
        base.AroundPreStart();
    }

    protected override void PreStart()
    {
        if (_store is null)
        {
            base.PreStart();
            return;
        }

        _readers = Context.ActorOf(
            StorageReaderActor.Props(Store)
                .WithDispatcher(_settings.ReaderDispatcher)
                .WithRouter(new RoundRobinPool(_settings.ReaderCount)),
            "readers");
        _sharedView = _settings.InlineReads ? new SharedView(Store) : null;
        base.PreStart();
    }

    protected override void PostStop()
    {
        base.PostStop();
        _sharedView?.Close();
        _store?.Dispose();
        _store = null;
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        // The journal refused this one event (it did not store it); the actor goes on.
        _log.Error(cause, "The journal rejected a batch (revision {Revision} not used)", sequenceNr);
        if (_pendingWriters.TryDequeue(out var pending))
        {
            _changes.Applied(pending.Operations);
            pending.Writer.Tell(new StorageFailed(StorageFailure.WriteFailed, Retryable: false, pending.CorrelationId));
        }
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        // The journal may or may not hold the batches in flight; the actor stops and its supervisor restarts it,
        // recovering the truth from the journal. Writers are told to retry rather than left to time out.
        _log.Error(cause, "Journal write failed at revision {Revision}; restarting from the journal", sequenceNr);
        while (_pendingWriters.TryDequeue(out var pending))
        {
            pending.Writer.Tell(new StorageFailed(StorageFailure.Unavailable, Retryable: true, pending.CorrelationId));
        }

        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    private void OnRecovered(KeysChanged changed)
    {
        if (_store is not null && LastSequenceNr > _store.AppliedRevision)
        {
            ApplyToView(changed, LastSequenceNr);
        }

        _retention.Track(LastSequenceNr, changed.CommittedAtUnixMs);
    }

    private void OnRecoveryCompleted()
    {
        if (_store is null)
        {
            _log.Info("Writer recovered at revision {Revision}", LastSequenceNr);
            _metrics.JournalRevision(LastSequenceNr);
            _bus.PublishPosition(LastSequenceNr);
            Timers.StartPeriodicTimer(PositionTimer, PositionTick.Instance, _positionInterval);
            return;
        }

        _log.Info("Storage recovered at revision {Revision} (view at {ViewRevision})", LastSequenceNr, Store.AppliedRevision);
        _metrics.JournalRevision(LastSequenceNr);
        if (_settings.RetainAge > TimeSpan.Zero)
        {
            var interval = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(1).Ticks, _settings.RetainAge.Ticks / 10));
            Timers.StartPeriodicTimer(RetentionTimer, RetentionTick.Instance, interval);
        }
    }

    private void OnWrite(WriteBatch write)
    {
        var writer = Sender;
        if (_stopping)
        {
            // Handing over: nothing new is journaled here, so the caller may safely send it to the next writer.
            writer.Tell(new StorageFailed(StorageFailure.Unavailable, Retryable: true, write.CorrelationId));
            return;
        }

        // As etcd: what changes nothing (a remove of an absent key) takes no revision and notifies no one. The cluster
        // writer keeps no view of its own: it asks its node's view, and keeps a remove the view cannot vouch for.
        IReadOnlyList<BatchOperation> operations;
        var certain = true;
        try
        {
            operations = _store is not null
                ? _changes.Changes(write.Operations, _store)
                : _changes.Changes(write.Operations, key =>
                {
                    var exists = _localView?.Exists(key, LastSequenceNr);
                    certain &= exists.HasValue;
                    return exists ?? true;
                });
        }
        catch (StoreException)
        {
            writer.Tell(new StorageFailed(StorageFailure.Unavailable, Retryable: true, write.CorrelationId));
            throw;
        }

        if (operations.Count == 0)
        {
            // Nothing to journal; answer in order with the batches before it, at the revision they reach.
            DeferAsync(write, _ => writer.Tell(new BatchCommitted(LastSequenceNr, write.CorrelationId, Changed: 0)));
            return;
        }

        _changes.Journaling(operations);
        _pendingWriters.Enqueue((writer, write.CorrelationId, operations));
        PersistAsync(new KeysChanged(operations, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), changed =>
        {
            _pendingWriters.Dequeue();
            var revision = LastSequenceNr;
            if (_store is not null)
            {
                ApplyToView(changed, revision);
            }

            _changes.Applied(operations);
            writer.Tell(new BatchCommitted(revision, write.CorrelationId, certain ? operations.Count : null));
            _bus.Publish(new ChangesCommitted(revision, changed.Operations));
            _metrics.Published(revision);
            _metrics.JournalRevision(revision);
            if (_store is not null)
            {
                _retention.Track(revision, changed.CommittedAtUnixMs);
                MaybeSnapshot(force: false);
            }
        });
    }

    private void OnHandOver()
    {
        // The batches already given to the journal are answered by their handlers, which run before this deferred
        // stop; anything after it is refused (see OnWrite), so nothing is journaled and left unanswered.
        _stopping = true;
        DeferAsync(HandOver.Instance, _ => Context.Stop(Self));
    }

    private void ToReaders(object read, long correlationId)
    {
        if (_store is null)
        {
            Sender.Tell(new StorageFailed(StorageFailure.Unavailable, Retryable: true, correlationId));
            return;
        }

        _readers.Forward(read);
    }

    private void ApplyToView(KeysChanged changed, long revision) =>
        Store.Write(new KeyValueBatch(changed.Operations).WithRevision(revision));

    private void MaybeSnapshot(bool force)
    {
        var due = LastSequenceNr - _lastSnapshotRevision >= _settings.SnapshotEvery
            || (force && LastSequenceNr > _lastSnapshotRevision);
        if (!due || _snapshotInFlight)
        {
            if (force)
            {
                TrimJournal();
            }

            return;
        }

        _snapshotInFlight = true;
        SaveSnapshot(new StorageSnapshot(LastSequenceNr));
    }

    private void OnSnapshotSaved(SaveSnapshotSuccess saved)
    {
        _snapshotInFlight = false;
        _lastSnapshotRevision = saved.Metadata.SequenceNr;
        DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1));
        TrimJournal();
    }

    /// <summary>Deletes the journal up to what retention allows, never past the newest snapshot.</summary>
    private void TrimJournal()
    {
        var cut = _retention.Cut(LastSequenceNr, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), ceiling: _lastSnapshotRevision);
        if (_retention.TryAdvanceDeleted(cut))
        {
            DeleteMessages(cut);
        }
    }

    private sealed class RetentionTick
    {
        public static readonly RetentionTick Instance = new();
    }

    private sealed class PositionTick
    {
        public static readonly PositionTick Instance = new();
    }
}
