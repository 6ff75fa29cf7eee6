using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using MwgActors.Actors.Cluster;
using MwgActors.Actors.Diagnostics;
using MwgActors.Actors.PubSub;
using MwgActors.Storage;
using static MwgActors.Actors.Storage.StorageProtocol;

namespace MwgActors.Actors.Storage;

/// <summary>
/// The single writer of the key/value world. Event-sourced: every committed batch is one <see cref="KeysChanged"/>
/// event whose journal sequence number is its revision. Batches are journaled with PersistAsync, so the journal groups
/// the writes that arrive while one is on disk (group commit) instead of paying one disk round trip per put. This
/// class is that write path, shared by the storage actor's two modes, each a class of its own:
/// <list type="bullet">
/// <item><see cref="StorageActor"/>, with a local view (a single node, the default): the store (RocksDB's data column
/// family, or memory) is the materialized view, written after each event is journaled; the actor serves reads through
/// its reader pool, snapshots, trims the journal to the retention, and on start replays what the view lacks.</item>
/// <item><see cref="StorageWriterActor"/>, the cluster writer without a view (the writer singleton, docs/cluster.md):
/// each storage node's <see cref="StorageViewActor"/> follows the shared journal instead. The writer refuses reads,
/// recovers only the highest revision, never trims the journal, publishes its position and hands over.</item>
/// </list>
/// The mode decides whether a removed key exists (<see cref="KeyExists"/>) and what follows a commit
/// (<see cref="OnCommitted"/>); this class answers the writers and publishes the batch.
/// </summary>
public abstract class StorageActorBase : ReceivePersistentActor, IWithTimers
{
    private readonly ILoggingAdapter _log = Context.GetLogger();

    // Writers whose batch is journaled but not yet handled, in persist order, to answer them if the journal fails.
    private readonly Queue<(IActorRef Writer, long CorrelationId, IReadOnlyList<BatchOperation> Operations)> _pendingWriters = new();

    // Leaves out of each batch what changes nothing (a remove of an absent key), against the view and the batches in flight.
    private readonly ChangeFilter _changes = new();

    private protected StorageActorBase(StorageSettings settings, IChangeBus bus)
    {
        Settings = settings;
        Bus = bus;
        JournalPluginId = settings.JournalPluginId;
        SnapshotPluginId = settings.SnapshotPluginId;

        Command<GetCurrentRevision>(_ => Sender.Tell(new CurrentRevision(LastSequenceNr)));
    }

    public override string PersistenceId => Settings.PersistenceId;

    public ITimerScheduler Timers { get; set; } = null!;

    private protected StorageSettings Settings { get; }

    private protected IChangeBus Bus { get; }

    private protected MwgMetrics Metrics { get; } = MwgMetrics.Get(Context.System);

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

    /// <summary>
    /// Whether <paramref name="key"/> exists as of every batch whose handler has run; null when the mode cannot say
    /// (the remove is then kept, and the reply's change count is unknown).
    /// </summary>
    /// <exception cref="StoreException">The view failed the read.</exception>
    private protected abstract bool? KeyExists(byte[] key);

    /// <summary>Runs once the journal holds <paramref name="changed"/> at <paramref name="revision"/>, before the writer is answered.</summary>
    private protected abstract void OnCommitted(KeysChanged changed, long revision);

    /// <summary>Journals what of <paramref name="write"/> changes the store; its sender is answered once the journal holds it.</summary>
    private protected void JournalBatch(WriteBatch write)
    {
        var writer = Sender;

        // As etcd: what changes nothing (a remove of an absent key) takes no revision and notifies no one.
        IReadOnlyList<BatchOperation> operations;
        var certain = true;
        try
        {
            operations = _changes.Changes(write.Operations, key =>
            {
                var exists = KeyExists(key);
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
            OnCommitted(changed, revision);
            _changes.Applied(operations);
            writer.Tell(new BatchCommitted(revision, write.CorrelationId, certain ? operations.Count : null));
            Bus.Publish(new ChangesCommitted(revision, changed.Operations));
            Metrics.Published(revision);
            Metrics.JournalRevision(revision);
        });
    }
}
