using Akka.Actor;
using Akka.Persistence;

namespace MwgActors.Storage.Tests.Persistence;

public static class CounterProtocol
{
    public sealed record Increment(int Delta);

    public sealed record Incremented(long SequenceNr);

    public sealed record TakeSnapshot;

    public sealed record SnapshotTaken(long SequenceNr);

    public sealed record SnapshotFailed(long SequenceNr);

    public sealed record GetState;

    /// <summary>The counter and how it was recovered.</summary>
    public sealed record State(int Value, long LastSequenceNr, long RecoveredFromSnapshotAt, int ReplayedEvents);
}

/// <summary>An event-sourced counter for the recovery specs: events are <see cref="Counted"/>, snapshots <see cref="CounterState"/>.</summary>
public sealed class CounterActor : ReceivePersistentActor
{
    private int _value;
    private long _recoveredFromSnapshotAt;
    private int _replayedEvents;
    private IActorRef _snapshotRequester = ActorRefs.Nobody;

    public CounterActor(string persistenceId)
    {
        PersistenceId = persistenceId;

        Recover<SnapshotOffer>(offer =>
        {
            _value = ((CounterState)offer.Snapshot).Value;
            _recoveredFromSnapshotAt = offer.Metadata.SequenceNr;
        });
        Recover<Counted>(counted =>
        {
            _value += counted.Delta;
            _replayedEvents++;
        });

        Command<CounterProtocol.Increment>(increment => Persist(new Counted(increment.Delta, "increment"), counted =>
        {
            _value += counted.Delta;
            Sender.Tell(new CounterProtocol.Incremented(LastSequenceNr));
        }));
        Command<CounterProtocol.TakeSnapshot>(_ =>
        {
            _snapshotRequester = Sender;
            SaveSnapshot(new CounterState(_value));
        });
        Command<SaveSnapshotSuccess>(success => _snapshotRequester.Tell(new CounterProtocol.SnapshotTaken(success.Metadata.SequenceNr)));
        Command<SaveSnapshotFailure>(failure => _snapshotRequester.Tell(new CounterProtocol.SnapshotFailed(failure.Metadata.SequenceNr)));
        Command<CounterProtocol.GetState>(_ => Sender.Tell(new CounterProtocol.State(_value, LastSequenceNr, _recoveredFromSnapshotAt, _replayedEvents)));
    }

    public override string PersistenceId { get; }

    public static Props Props(string persistenceId) => Akka.Actor.Props.Create(() => new CounterActor(persistenceId));
}
