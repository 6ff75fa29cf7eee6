using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using MwgActors.Actors.PubSub;
using MwgActors.Actors.Storage;
using static MwgActors.Actors.Storage.StorageProtocol;

namespace MwgActors.Actors.Cluster;

/// <summary>
/// The storage actor's cluster mode: the writer singleton, on the oldest storage node, without a view of its own (for
/// the mode with one, see <see cref="StorageActor"/>; what both share, see <see cref="StorageActorBase"/>). Each
/// storage node keeps its own view that follows the shared journal (<see cref="StorageViewActor"/>), so the writer:
/// <list type="bullet">
/// <item>refuses reads as retryable and hands out no readers (the <see cref="WriterClientActor"/> of every node sends
/// reads to a view, never here);</item>
/// <item>recovers only the highest revision (no replay), takes no snapshots and never trims the journal, which is
/// every view's source;</item>
/// <item>publishes its position on recovery and every <c>mwg.cluster.position-interval</c>, so nodes notice lost
/// notifications;</item>
/// <item>leaves out removes of absent keys by asking the view of its own node (<see cref="LocalView"/>) only when that
/// view has applied every batch the writer committed; otherwise it keeps the remove, and the reply's change count is
/// unknown;</item>
/// <item>on <see cref="HandOver"/> (the singleton moves) answers the batches in flight, refuses new ones as
/// retryable, and stops.</item>
/// </list>
/// </summary>
internal sealed class StorageWriterActor : StorageActorBase
{
    private const string PositionTimer = "position";

    private readonly TimeSpan _positionInterval;
    private readonly LocalView _localView;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private bool _handingOver;

    /// <param name="positionInterval">How often the writer publishes its position.</param>
    /// <param name="localView">The view of the writer's node, asked whether removed keys exist.</param>
    public StorageWriterActor(StorageSettings settings, IChangeBus bus, TimeSpan positionInterval, LocalView localView)
        : base(settings, bus)
    {
        _positionInterval = positionInterval;
        _localView = localView;

        Recover<RecoveryCompleted>(_ => OnRecoveryCompleted());

        Command<WriteBatch>(OnWrite);
        Command<ReadKeys>(read => RefuseRead(read.CorrelationId));
        Command<ScanPrefix>(_ => RefuseRead(0));
        Command<GetReaders>(_ => Sender.Tell(new Readers(ActorRefs.Nobody)));
        Command<PositionTick>(_ => Bus.PublishPosition(LastSequenceNr));
        Command<HandOver>(_ => OnHandOver());
    }

    /// <summary>No view to bring up to date: the writer only learns the highest revision, so a failover replays nothing.</summary>
    public override Recovery Recovery => Recovery.None;

    public static Props Props(StorageSettings settings, IChangeBus bus, TimeSpan positionInterval, LocalView localView) =>
        Akka.Actor.Props.Create(() => new StorageWriterActor(settings, bus, positionInterval, localView)).WithDispatcher(settings.Dispatcher);

    private protected override bool? KeyExists(byte[] key) => _localView.Exists(key, LastSequenceNr);

    /// <summary>Nothing to apply: each storage node's view takes the batch from the change bus or the journal.</summary>
    private protected override void OnCommitted(KeysChanged changed, long revision)
    {
    }

    private void OnRecoveryCompleted()
    {
        _log.Info("Writer recovered at revision {Revision}", LastSequenceNr);
        Metrics.JournalRevision(LastSequenceNr);
        Bus.PublishPosition(LastSequenceNr);
        Timers.StartPeriodicTimer(PositionTimer, PositionTick.Instance, _positionInterval);
    }

    private void OnWrite(WriteBatch write)
    {
        if (_handingOver)
        {
            // Nothing new is journaled here, so the caller may safely send it to the next writer.
            Sender.Tell(new StorageFailed(StorageFailure.Unavailable, Retryable: true, write.CorrelationId));
            return;
        }

        JournalBatch(write);
    }

    private void RefuseRead(long correlationId) =>
        Sender.Tell(new StorageFailed(StorageFailure.Unavailable, Retryable: true, correlationId));

    private void OnHandOver()
    {
        // The batches already given to the journal are answered by their handlers, which run before this deferred
        // stop; anything after it is refused (see OnWrite), so nothing is journaled and left unanswered.
        _handingOver = true;
        DeferAsync(HandOver.Instance, _ => Context.Stop(Self));
    }

    private sealed class PositionTick
    {
        public static readonly PositionTick Instance = new();
    }
}
