using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Akka.Routing;
using MwgActors.Actors.PubSub;
using MwgActors.Storage;
using static MwgActors.Actors.Storage.StorageProtocol;

namespace MwgActors.Actors.Storage;

/// <summary>
/// The storage actor with a local view, the mode of a single node (for the cluster writer, which keeps none, see
/// <see cref="Cluster.StorageWriterActor"/>; what both share, see <see cref="StorageActorBase"/>). The store (RocksDB's
/// data column family, or memory) is the materialized view of the journal, written after each event is journaled;
/// on start the actor replays what the view has not applied yet. It serves reads through its reader pool and hands
/// that pool, and the view itself (<see cref="SharedView"/>, when inline reads are on), to connections. It snapshots
/// every <c>snapshot-every</c> revisions and trims the journal to the retention, never past the newest snapshot.
/// </summary>
public sealed class StorageActor : StorageActorBase
{
    private const string RetentionTimer = "retention";

    private readonly Func<IKeyValueStore> _openStore;
    private readonly RetentionPolicy _retention;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    private IKeyValueStore? _store;
    private IActorRef _readers = ActorRefs.Nobody;
    private SharedView? _sharedView;
    private long _lastSnapshotRevision;
    private bool _snapshotInFlight;

    /// <param name="openStore">Opens the view; the actor owns it and disposes it when it stops.</param>
    public StorageActor(StorageSettings settings, Func<IKeyValueStore> openStore, IChangeBus bus)
        : base(settings, bus)
    {
        _openStore = openStore;
        _retention = new RetentionPolicy(settings.RetainRevisions, settings.RetainAge);

        Recover<SnapshotOffer>(offer => _lastSnapshotRevision = ((StorageSnapshot)offer.Snapshot).Revision);
        Recover<KeysChanged>(OnRecovered);
        Recover<RecoveryCompleted>(_ => OnRecoveryCompleted());

        Command<WriteBatch>(JournalBatch);
        Command<ReadKeys>(read => _readers.Forward(read));
        Command<ScanPrefix>(scan => _readers.Forward(scan));
        Command<GetReaders>(_ => Sender.Tell(new Readers(_readers, _sharedView)));
        Command<RetentionTick>(_ => MaybeSnapshot(force: true));
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

    /// <summary>Replays from the newest snapshot the view already covers, so only what the view lacks is re-applied.</summary>
    public override Recovery Recovery => new(new SnapshotSelectionCriteria(Store.AppliedRevision));

    private IKeyValueStore Store => _store ?? throw new InvalidOperationException("the store is not open");

    public static Props Props(StorageSettings settings, Func<IKeyValueStore> openStore, IChangeBus bus) =>
        Akka.Actor.Props.Create(() => new StorageActor(settings, openStore, bus)).WithDispatcher(settings.Dispatcher);

    /// <summary>Opens the store first: Akka reads <see cref="Recovery"/> (which asks the view) before PreStart.</summary>
    public override void AroundPreStart()
    {
        _store = _openStore();
        base.AroundPreStart();
    }

    protected override void PreStart()
    {
        _readers = Context.ActorOf(
            StorageReaderActor.Props(Store)
                .WithDispatcher(Settings.ReaderDispatcher)
                .WithRouter(new RoundRobinPool(Settings.ReaderCount)),
            "readers");
        _sharedView = Settings.InlineReads ? new SharedView(Store) : null;
        base.PreStart();
    }

    protected override void PostStop()
    {
        base.PostStop();
        _sharedView?.Close();
        _store?.Dispose();
        _store = null;
    }

    private protected override bool? KeyExists(byte[] key) => ChangeFilter.Exists(Store, key);

    private protected override void OnCommitted(KeysChanged changed, long revision)
    {
        ApplyToView(changed, revision);
        _retention.Track(revision, changed.CommittedAtUnixMs);
        MaybeSnapshot(force: false);
    }

    private void OnRecovered(KeysChanged changed)
    {
        if (LastSequenceNr > Store.AppliedRevision)
        {
            ApplyToView(changed, LastSequenceNr);
        }

        _retention.Track(LastSequenceNr, changed.CommittedAtUnixMs);
    }

    private void OnRecoveryCompleted()
    {
        _log.Info("Storage recovered at revision {Revision} (view at {ViewRevision})", LastSequenceNr, Store.AppliedRevision);
        Metrics.JournalRevision(LastSequenceNr);
        if (Settings.RetainAge > TimeSpan.Zero)
        {
            var interval = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(1).Ticks, Settings.RetainAge.Ticks / 10));
            Timers.StartPeriodicTimer(RetentionTimer, RetentionTick.Instance, interval);
        }
    }

    private void ApplyToView(KeysChanged changed, long revision) =>
        Store.Write(new KeyValueBatch(changed.Operations).WithRevision(revision));

    private void MaybeSnapshot(bool force)
    {
        var due = LastSequenceNr - _lastSnapshotRevision >= Settings.SnapshotEvery
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
}
