using Akka.Actor;
using Akka.Persistence;
using MwgActors.Actors.PubSub;
using MwgActors.Actors.Storage;

namespace MwgActors.Actors.Tests.Subscriptions;

/// <summary>
/// Stands in for the storage actor: journals one <see cref="KeysChanged"/> per batch under "mwg-storage" and,
/// once persisted, publishes <see cref="ChangesCommitted"/> with its sequence number on the change bus.
/// </summary>
internal sealed class TestStorageWriter : ReceivePersistentActor
{
    private IActorRef _deleteReplyTo = ActorRefs.Nobody;

    public TestStorageWriter(IChangeBus bus)
    {
        Command<StorageProtocol.WriteBatch>(w => Persist(
            new KeysChanged(w.Operations, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()),
            e =>
            {
                bus.Publish(new ChangesCommitted(LastSequenceNr, e.Operations));
                Sender.Tell(new StorageProtocol.BatchCommitted(LastSequenceNr));
            }));
        Command<DeleteTo>(d =>
        {
            _deleteReplyTo = Sender;
            DeleteMessages(d.SequenceNr);
        });
        Command<DeleteMessagesSuccess>(s => _deleteReplyTo.Tell(s));
        Recover<KeysChanged>(_ => { });
    }

    public override string PersistenceId => "mwg-storage";

    public static Props Props(IChangeBus bus) => Akka.Actor.Props.Create(() => new TestStorageWriter(bus));

    /// <summary>Deletes the journal up to and including <paramref name="SequenceNr"/>; replied with DeleteMessagesSuccess.</summary>
    public sealed record DeleteTo(long SequenceNr);
}
